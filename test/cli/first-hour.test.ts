/**
 * The smaller stumbles of a first hour without AWS (#31): each answer names the user's own input, never an
 * internal path, and every command a message prints can be pasted as it is.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDogApi, startFakeDogApi } from '../helpers/fake-dog-api.js';
import { runCli, startCli } from '../helpers/run-cli.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mcp-lambda-first-hour-'));
});

describe('--entry that is no file', () => {
  it('dev --entry . says it is a directory and names the module inside, no temp path', async () => {
    const result = await runCli(
      ['dev', '--port', '0', '--entry', '.'],
      {},
      { cwd: join(import.meta.dirname, '../fixtures/entries/with-key') },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--entry . is a directory; it takes the module whose default export builds your McpServer.');
    expect(result.stderr).toContain('--entry server.ts');
    expect(result.stderr).not.toMatch(/mcp-lambda-(dev|entry)-/);
  });

  it('synth --entry ./missing.ts names the missing file before asking for --name', async () => {
    const result = await runCli(['synth', '--entry', './missing.ts'], {}, { cwd: scratch });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The entry ./missing.ts does not exist (looked for ${join(scratch, 'missing.ts')}).`);
    expect(result.stderr).not.toContain('needs --name');
  });
});

describe('dev and call', () => {
  let dogApi: FakeDogApi;
  beforeAll(async () => {
    dogApi = await startFakeDogApi();
  });
  afterAll(() => dogApi.close());

  it('dev --host 0.0.0.0 prints a URL this machine can use', async () => {
    const dev = startCli(['dev', '--port', '0', '--host', '0.0.0.0', '--json'], { DOG_API_BASE_URL: dogApi.baseUrl });
    try {
      const { url } = JSON.parse(await dev.waitForStdout('}\n')) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const listed = await runCli(['tools', '--url', url]);
      expect(listed.code, listed.stderr).toBe(0);
    } finally {
      dev.interrupt();
      await dev.exit;
    }
  });

  it("call's timeout hint against dev names dev's --timeout", async () => {
    const dev = startCli(['dev', '--port', '0', '--json', '--slow-demo'], { DOG_API_BASE_URL: dogApi.baseUrl });
    try {
      const { url } = JSON.parse(await dev.waitForStdout('}\n')) as { url: string };
      const result = await runCli(['call', 'getDogFactsSlowly', '--arg', 'seconds=100', '--url', url]);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('Against mcp-lambda dev: restart it with --timeout <seconds>');
    } finally {
      dev.interrupt();
      await dev.exit;
    }
  });

  it('call --arg wins over the same name in --args-json, as its help says', async () => {
    const help = await runCli(['call', '--help']);
    expect(help.stdout).toMatch(/\(an --arg of the same\s+name wins\)/);
    const dev = startCli(['dev', '--port', '0', '--json'], { DOG_API_BASE_URL: dogApi.baseUrl });
    try {
      const { url } = JSON.parse(await dev.waitForStdout('}\n')) as { url: string };
      const result = await runCli([
        'call',
        'getDogFacts',
        '--args-json',
        '{"limit": 1}',
        '--arg',
        'limit=2',
        '--url',
        url,
        '--json',
      ]);
      expect(JSON.parse(result.stdout).structuredContent.facts).toHaveLength(2);
    } finally {
      dev.interrupt();
      await dev.exit;
    }
  });
});

describe('init', () => {
  it('prints a cd that survives the shell, and the --allow deploy needs', async () => {
    const result = await runCli(['init', 'My Tools!'], { HOME: scratch }, { cwd: scratch });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(scratch, 'My Tools!'))).toContain('server.ts');
    expect(result.stderr).toContain("  cd 'My Tools!'\n");
    expect(result.stderr).toContain('npm run deploy -- --allow you@example.com');
  });
});

describe('deploy without AWS set up', () => {
  it('says the region is missing before bundling the entry', async () => {
    const saved = { region: process.env.AWS_REGION, fallback: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const result = await runCli(
        [
          'deploy',
          '--name',
          'my-tools',
          '--signup',
          'invite',
          '--entry',
          join(import.meta.dirname, '../fixtures/entries/cjs/server.cjs'),
        ],
        {
          HOME: scratch,
          AWS_CONFIG_FILE: join(scratch, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
        },
        { cwd: scratch },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('No AWS region is set.');
      expect(result.stderr).not.toContain('Bundling');
    } finally {
      if (saved.region !== undefined) process.env.AWS_REGION = saved.region;
      if (saved.fallback !== undefined) process.env.AWS_DEFAULT_REGION = saved.fallback;
    }
  });
});
