/** `synth --stdio`: the template gets each stdio server's bundle as its function's asset. */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
const greeter = join(fixtures, 'stdio', 'greeter');

interface Template {
  Resources: Record<string, { Type: string; Properties?: any; Metadata?: Record<string, string> }>;
  Outputs: Record<string, { Value: unknown }>;
}

/** The template, and the asset directory of a function's code (`asset.<hash>`, from its S3 key). */
function readAssembly(out: string, stack: string): { template: Template; assetOf: (server?: string) => string } {
  const template = JSON.parse(readFileSync(join(out, `${stack}.template.json`), 'utf8')) as Template;
  const functions = Object.entries(template.Resources).flatMap(([id, resource]) => {
    const key = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Code?.S3Key : undefined;
    return typeof key === 'string' ? [[id, join(out, `asset.${key.replace(/\.zip$/, '')}`)] as const] : [];
  });
  return {
    template,
    assetOf: (server) => {
      const found = functions.find(([id]) => server === undefined || id.toLowerCase().includes(server.replace(/-/g, '')));
      if (!found) throw new Error(`no MCP function${server ? ` for ${server}` : ''} in the template`);
      return found[1];
    },
  };
}

describe('mcp-lambda synth --stdio', () => {
  it("puts a script's package (its node_modules included) and the recorded manifest into the function's asset", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stdio-synth-')), 'cdk.out');
    const result = await runCli(
      ['synth', '--name', 'greeter', '--stdio', 'node bin/server.js --loud', '--env', 'GREETING_SUFFIX=!', '--out', out],
      {},
      { cwd: greeter },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Bundling ${join(greeter, 'bin', 'server.js')} and its package for Node.js 24 / ARM64…`);
    expect(result.stderr).toMatch(
      /Bundled node bin\/server\.js --loud: [\d.]+ MB unzipped; it starts and lists 1 tool \(greet\)\./,
    );
    const { template, assetOf } = readAssembly(out, 'mcp-lambda-greeter');
    const asset = assetOf();
    expect(JSON.parse(readFileSync(join(asset, 'stdio.json'), 'utf8'))).toEqual({
      label: 'greeter',
      program: 'server/bin/server.js',
      args: ['--loud'],
    });
    expect(existsSync(join(asset, 'server', 'node_modules', 'greeting', 'index.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(asset, 'manifest.json'), 'utf8')).tools).toEqual(['greet']);
    expect(template.Outputs.ServerCode?.Value).toBe('entry');
    // A local script is no registry package: nothing to record.
    expect(template.Outputs.Packages).toBeUndefined();
  }, 120_000);

  it('serves a module and a stdio program side by side, each named by its flag, and records the package version', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stdio-synth-')), 'cdk.out');
    const entry = join(fixtures, 'entries', 'ts-with-dep', 'server.ts');
    const result = await runCli([
      'synth',
      '--name',
      'team',
      '--entry',
      `shouter=${entry}`,
      '--stdio',
      `node ${join(greeter, 'bin', 'server.js')}`,
      '--stdio',
      'npx -y @modelcontextprotocol/server-memory@2026.8.31',
      '--env',
      'server-memory:MEMORY_FILE_PATH=/tmp/memory.jsonl',
      '--tool-groups',
      'greet=admins',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('servers shouter, greeter-fixture, server-memory at /<name>/mcp');
    const { template, assetOf } = readAssembly(out, 'mcp-lambda-team');
    expect(template.Outputs.Packages?.Value).toBe('server-memory=@modelcontextprotocol/server-memory@2026.8.31');
    const memory = assetOf('server-memory');
    expect(JSON.parse(readFileSync(join(memory, 'stdio.json'), 'utf8')).package).toEqual({
      name: '@modelcontextprotocol/server-memory',
      version: '2026.8.31',
    });
    expect(readdirSync(join(memory, 'server', 'node_modules', '@modelcontextprotocol'))).toContain('server-memory');
  }, 300_000);

  it('refuses what cannot run on Lambda before anything is built (exit 2)', async () => {
    for (const [line, message] of [
      ['uvx mcp-server-fetch', 'Python servers are a later step'],
      ['docker run -i mcp/fetch', 'Lambda functions cannot start containers'],
      ['node server.js | tee log', '"|" is a shell operator'],
      ['', '--stdio needs a command line'],
    ] as const) {
      const result = await runCli(['synth', '--name', 'x', '--stdio', line]);
      expect(result.code, line).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('Installing');
    }
  });

  it('refuses a name= with one server, and --stdio without --name', async () => {
    const named = await runCli(['synth', '--name', 'x', '--stdio', `memory=node ${join(greeter, 'bin', 'server.js')}`]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('a name goes with several servers (one server is named by --name)');
    const unnamed = await runCli(['synth', '--stdio', `node ${join(greeter, 'bin', 'server.js')}`]);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('--stdio needs --name');
    const demo = await runCli(['synth', '--name', 'x', '--slow-demo', '--stdio', `node ${join(greeter, 'bin', 'server.js')}`]);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('your own server (--entry, --stdio) has its own tools');
  });
});
