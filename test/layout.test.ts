/**
 * The house rules of the source tree (README, "Layout"), checked so they cannot drift: the layers'
 * imports (through the ESLint rules in eslint.config.js), folder names, and how full a folder's top is.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [join(dir, entry.name), ...folders(join(dir, entry.name))]);
}

describe('layers', () => {
  const eslint = new ESLint({ cwd: root });
  const lint = async (file: string, code: string) =>
    (await eslint.lintText(code, { filePath: join(root, file) }))[0]?.messages.map((m) => m.message) ?? [];

  it.each([
    [
      'src/lambda/edge/x.ts',
      "import { x } from '../../cli/deployed/resolve.js';\nexport const y = x;\n",
      'may not import src/cli',
    ],
    ['src/lambda/x.ts', "import { x } from '../stack/props.js';\nexport const y = x;\n", 'may not import src/stack'],
    ['src/lambda/servers/a/x.ts', "import { App } from 'aws-cdk-lib';\nexport const y = App;\n", 'no CDK'],
    ['src/stack/x.ts', "import { x } from '../cli/deployed/name.js';\nexport const y = x;\n", 'may not import src/cli'],
  ])('%s: a forbidden import is a lint error', async (file, code, message) => {
    expect((await lint(file, code)).join('\n')).toContain(message);
  });

  it('allowed imports pass: the stack may use the runtime, the CLI anything', async () => {
    expect(await lint('src/stack/x.ts', "import { x } from '../lambda/services/config.js';\nexport const y = x;\n")).toEqual([]);
    expect(await lint('src/cli/x.ts', "import { x } from '../stack/props.js';\nexport const y = x;\n")).toEqual([]);
  });
});

describe('folders', () => {
  it('no two folders whose names differ by a plural', () => {
    const names = new Map<string, string>();
    for (const dir of folders(src)) {
      const name = dir.split('/').pop() ?? '';
      const stem = name.replace(/(es|s)$/, '');
      const seen = names.get(stem);
      if (seen !== undefined && seen.split('/').pop() !== name) {
        throw new Error(`${relative(root, seen)} and ${relative(root, dir)} differ by a plural`);
      }
      names.set(stem, dir);
    }
  });

  it('src/lambda holds at most 8 files at its top', () => {
    const files = readdirSync(join(src, 'lambda')).filter((name) => statSync(join(src, 'lambda', name)).isFile());
    expect(files.length).toBeLessThanOrEqual(8);
  });
});

describe('files', () => {
  it('no source file over 450 lines', () => {
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
    const long = files
      .map((name) => ({ name, lines: readFileSync(join(src, name), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 450);
    expect(long).toEqual([]);
  });
});
