/**
 * The spawned `mcp-lambda` and Node's own argv: Node claims `--env-file` anywhere on its command line, even
 * after the script, and exits 9 before our code runs (`node: .env: not found`). The launcher ends Node's
 * options with `--`, so both `--env-from` and the first spelling `--env-file` reach dev — run here as a user
 * runs them: the bin itself, and the scaffold's `npm run dev -- …` as its README says.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';
import { runCli } from '../../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'bin', 'mcp-lambda');
const run = promisify(execFile);

let scratch: string;
beforeAll(() => {
  // Inside the clone, so a scaffold finds its dependencies in the clone's node_modules.
  scratch = mkdtempSync(join(root, '.test-launcher-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function failing(file: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(file, args, { cwd, env: { ...process.env, CI: 'true' } });
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
  throw new Error(`${file} ${args.join(' ')} succeeded`);
}

describe('the spawned bin', () => {
  it.each(['--env-file', '--env-from'])('reads %s itself: a missing file is our sentence, not Node’s', async (flag) => {
    const dir = mkdtempSync(join(scratch, 'bare-'));
    const result = await failing(bin, ['dev', '--port', '0', flag, '.env'], dir);
    expect(result.stderr).not.toContain('node:');
    expect(result.stderr).toContain(`${flag} .env: there is no such file (${join(dir, '.env')}).`);
    expect(result.code).toBe(1);
  });

  describe('with a .env', () => {
    let dogApi: FakeDogApi;
    beforeAll(async () => {
      dogApi = await startFakeDogApi();
    });
    afterAll(() => dogApi.close());

    it('serves with the file’s settings under --env-file', async () => {
      const dir = mkdtempSync(join(scratch, 'env-'));
      writeFileSync(join(dir, '.env'), `DOG_API_BASE_URL=${dogApi.baseUrl}\n`);
      const child = spawn(bin, ['dev', '--port', '0', '--env-file', '.env'], { cwd: dir, env: { ...process.env, CI: 'true' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', () => stderr.includes('Press Ctrl-C') && resolve());
        void exit.then(() => reject(new Error(`dev exited: ${stderr}`)));
      });
      expect(stderr).toContain('Settings for the server: DOG_API_BASE_URL');
      const url = stdout.match(/listening on (\S+)/)?.[1] ?? '';
      const listed = await runCli(['tools', '--url', url]);
      expect(listed.stdout).toContain('getDogFacts');
      child.kill('SIGINT');
      expect(await exit).toBe(0);
    }, 30_000);
  });
});

describe('the scaffold', () => {
  it('runs the README’s `npm run dev -- --env-from .env` through npm, and the old spelling too', async () => {
    const dir = join(scratch, 'tools');
    expect((await runCli(['init', dir, '--inside-package'])).code).toBe(0);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const recommended = readme.match(/`npm run dev -- (--env-\w+ \.env)`/)?.[1];
    expect(recommended).toBe('--env-from .env');
    // What `npm install` makes of the mcp-lambda dependency: its bin on the scripts' PATH.
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(bin, join(dir, 'node_modules', '.bin', 'mcp-lambda'));
    for (const flags of [recommended ?? '', '--env-file .env']) {
      const result = await failing('npm', ['run', 'dev', '--', ...flags.split(' ')], dir);
      expect(result.stderr).not.toContain('node: .env');
      expect(result.stderr).toContain(`${flags}: there is no such file`);
    }
  }, 30_000);
});
