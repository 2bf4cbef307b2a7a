/**
 * `mcp-lambda call` as a client: the scaffold's `forget` asks for confirmation (elicitation through
 * input_required on 2026-07-28) — asked on a terminal, answered with --answer, or refused with a sentence
 * that says how; dog facts' slow tool reports progress while it runs; a mistyped tool gets "did you mean";
 * a URL where nothing listens is said plainly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedPrompter } from '../../helpers/fake-engine.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';
import { type RunningCli, runCli, startCli } from '../../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe("the scaffold's forget, through dev --entry", () => {
  let parent: string;
  let dev: RunningCli;
  let url: string;
  beforeAll(async () => {
    // Inside the clone, so the scaffold finds its dependencies in the clone's node_modules.
    parent = mkdtempSync(join(root, '.test-call-input-'));
    const dir = join(parent, 'tools');
    expect((await runCli(['init', dir, '--inside-package'])).code).toBe(0);
    dev = startCli(['dev', '--port', '0', '--json', '--entry', join(dir, 'server.ts')]);
    url = JSON.parse(await dev.waitForStdout('}\n', 30_000)).url;
  }, 40_000);
  afterAll(async () => {
    dev.interrupt();
    await dev.exit;
    rmSync(parent, { recursive: true, force: true });
  });

  it('stops with what the tool asks and how to answer when no terminal can ask', async () => {
    const result = await runCli(['call', 'forget', '--arg', 'name=Ada', '--url', url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('forget asks: Forget Ada? It needs confirm=true|false');
    expect(result.stderr).toContain('Answer with --answer confirm=true, or run it in a terminal to be asked.');
    expect(result.stderr).not.toMatch(/capabilit/i);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['true', 'Forgot Ada.'],
    ['no', 'Kept everything.'],
  ])('takes --answer confirm=%s', async (answer, said) => {
    const result = await runCli(['call', 'forget', '--arg', 'name=Ada', '--answer', `confirm=${answer}`, '--url', url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${said}\n`);
  });

  it('asks on a terminal', async () => {
    const prompter = scriptedPrompter({ 'Forget Ada?': true });
    const result = await runCli(['call', 'forget', '--arg', 'name=Ada', '--url', url], {}, { interactive: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(prompter.asked).toEqual(['Forget Ada?']);
    expect(result.stdout).toBe('Forgot Ada.\n');
  });

  it.each([
    [['--answer', 'confirm=maybe'], 2, '--answer confirm=maybe: forget asks for true|false there.'],
    [['--answer', 'confirm'], 2, '--answer "confirm" is not key=value.'],
  ])('refuses %j plainly', async (args, code, message) => {
    const result = await runCli(['call', 'forget', '--arg', 'name=Ada', ...args, '--url', url]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('says which tool was meant, and repeats --url in the hint', async () => {
    const result = await runCli(['call', 'forgett', '--url', url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${url} has no tool named forgett; its tools: greet, forget.`);
    expect(result.stderr).toContain(`Did you mean forget? See the tools and their arguments with: mcp-lambda tools --url ${url}`);
  });
});

describe('progress', () => {
  let dogApi: FakeDogApi;
  let dev: RunningCli;
  let url: string;
  beforeAll(async () => {
    dogApi = await startFakeDogApi();
    // Over 29 s, tool calls stream: progress reaches the client as the tool runs.
    dev = startCli(['dev', '--port', '0', '--json', '--slow-demo', '--timeout', '60'], { DOG_API_BASE_URL: dogApi.baseUrl });
    url = JSON.parse(await dev.waitForStdout('}\n')).url;
  });
  afterAll(async () => {
    dev.interrupt();
    await dev.exit;
    await dogApi.close();
  });

  it("shows the slow tool's progress on stderr, its result on stdout", async () => {
    const result = await runCli(['call', 'getDogFactsSlowly', '--arg', 'seconds=2', '--arg', 'limit=1', '--url', url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('… Waited 1 of 2 s\n');
    expect(result.stderr).toContain('… Waited 2 of 2 s\n');
    expect(result.stdout).toContain('After waiting 2 s:');
  });
});

describe('a URL where nothing listens', () => {
  it.each(['tools', 'call getDogFacts'])('%s says so, and that dev is not running there', async (command) => {
    // A port that was free a moment ago.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/mcp`;
    const result = await runCli([...command.split(' '), '--url', url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `Nothing answers at ${url} (nothing listens on 127.0.0.1:${port}): mcp-lambda dev is not running there.`,
    );
    expect(result.stderr).toContain(`mcp-lambda dev --port ${port}`);
    expect(result.stderr).not.toContain('fetch failed');
  });
});
