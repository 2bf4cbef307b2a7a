/**
 * A registry package through the whole synth/deploy path: installed from the registry for linux-arm64
 * (server-memory at its pinned version), bundled with the bridge, recorded in a fresh process, then
 * served by the bundle's handler in a fresh process with no network (its own network namespace).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleStdio, recordStdio, type StdioBundle } from '../../../src/cli/stdio/bundle.js';
import { UserError } from '../../../src/cli/terminal/errors.js';

const MEMORY = { kind: 'package', name: '@modelcontextprotocol/server-memory', version: '2026.8.31', args: [] } as const;

/** Whether this machine lets an unprivileged process drop its network (unshare -rn). */
const canIsolate = (() => {
  try {
    execFileSync('unshare', ['-rn', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('a registry package bundled for Lambda', () => {
  let bundle: StdioBundle;
  const work = mkdtempSync(join(tmpdir(), 'stdio-bundle-'));

  beforeAll(async () => {
    bundle = await bundleStdio(MEMORY, 'memory', join(work, 'bundle'));
  }, 300_000);

  it('installs the package with its resolved version into server/, beside the bridge and stdio.json', () => {
    expect(bundle.spec).toEqual({
      label: 'memory',
      program: 'server/node_modules/@modelcontextprotocol/server-memory/dist/index.js',
      args: [],
      package: { name: '@modelcontextprotocol/server-memory', version: '2026.8.31' },
    });
    expect(JSON.parse(readFileSync(join(bundle.dir, 'stdio.json'), 'utf8'))).toEqual(bundle.spec);
    expect(existsSync(join(bundle.dir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(bundle.dir, 'server/node_modules/.bin'))).toBe(false);
    expect(existsSync(join(bundle.dir, 'stdio-wrapper.mjs'))).toBe(false);
    // Its production dependencies only: the SDK it runs on is there, its dev tools are not.
    expect(existsSync(join(bundle.dir, 'server/node_modules/@modelcontextprotocol/sdk/package.json'))).toBe(true);
    expect(existsSync(join(bundle.dir, 'server/node_modules/typescript'))).toBe(false);
    expect(bundle.bytes).toBeGreaterThan(1024 * 1024);
  });

  it('splits the bridge: what a cold connect loads (the entry and its static imports) holds neither the MCP SDK nor the supervisor', () => {
    // The static import closure of index.mjs; the SDK, the proxy and the supervisor come in by import().
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = readFileSync(file, 'utf8');
      for (const [, target] of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},\s*]+from\s*)?["'](\.[^"']+)["']/g)) {
        visit(join(dirname(file), target as string));
      }
    };
    visit(join(bundle.dir, 'index.mjs'));
    // The entry shares small chunks with the lazy part: proof the walk follows imports.
    expect(loaded.size).toBeGreaterThan(1);
    const code = [...loaded].map((file) => readFileSync(file, 'utf8')).join('\n');
    const bytes = Buffer.byteLength(code);
    expect(bytes).toBeLessThan(100 * 1024);
    // Names that only the SDK's server and client, and the supervisor, hold.
    expect(code).not.toContain('registerCapabilities');
    expect(code).not.toContain('MCP_STDIO_START_TIMEOUT_MS');
  });

  it('records the server answers in a fresh process, then serves initialize, tools/list and a tool call with no network', async () => {
    const memoryFile = join(work, 'memory.jsonl');
    const recorded = await recordStdio(bundle.dir, { MEMORY_FILE_PATH: memoryFile });
    expect(recorded.manifest).toBe('recorded');
    expect(recorded.tools).toContain('create_entities');
    expect(recorded.tools).toContain('read_graph');
    const manifest = JSON.parse(readFileSync(join(bundle.dir, 'manifest.json'), 'utf8'));
    expect(manifest.tools).toEqual(recorded.tools);
    if (!canIsolate)
      throw new Error('This test needs unshare -rn (an unprivileged network namespace) to run the bundle with no network.');

    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(bundle.dir, 'index.mjs')).href)});
      const event = (body) => ({ httpMethod: 'POST', path: '/mcp', headers: { host: 'lambda', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' }, multiValueHeaders: {}, body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'r' } });
      const call = async (body) => { const r = await handler(event({ jsonrpc: '2.0', id: 1, ...body }), {}); const text = r.body.startsWith('event:') ? r.body.split('\\n').filter((l) => l.startsWith('data: ')).at(-1).slice(6) : r.body; return { status: r.statusCode, body: JSON.parse(text) }; };
      const out = [];
      out.push(await call({ method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }));
      out.push(await call({ method: 'tools/list' }));
      out.push(await call({ method: 'tools/call', params: { name: 'create_entities', arguments: { entities: [{ name: 'Rex', entityType: 'dog', observations: ['likes walks'] }] } } }));
      out.push(await call({ method: 'tools/call', params: { name: 'read_graph', arguments: {} } }));
      process.stdout.write('\\n' + JSON.stringify(out));
      process.exit(0);
    `;
    const { stdout } = await promisify(execFile)('unshare', ['-rn', process.execPath, '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, MEMORY_FILE_PATH: memoryFile },
      timeout: 60_000,
    });
    const [initialize, list, create, read] = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      status: number;
      body: any;
    }[];
    expect(initialize?.status).toBe(200);
    expect(initialize?.body.result.serverInfo.name).toBe('memory-server');
    expect(list?.body.result.tools.map((tool: { name: string }) => tool.name)).toEqual(recorded.tools);
    expect(create?.body.result.isError).toBeFalsy();
    expect(JSON.stringify(read?.body.result)).toContain('likes walks');
  }, 120_000);
});

describe('a package that is not a server', () => {
  it('refuses a registry name that does not exist, with npm reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdio-bundle-'));
    const error = await bundleStdio(
      { kind: 'package', name: '@modelcontextprotocol/no-such-server-xyz', args: [] },
      'x',
      dir,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('--stdio: the registry has no package @modelcontextprotocol/no-such-server-xyz.');
  }, 120_000);
});

describe('a script and its package', () => {
  it('uploads the package without the files that hold keys, and says which were left out', async () => {
    const project = mkdtempSync(join(tmpdir(), 'stdio-script-'));
    writeFileSync(join(project, 'package.json'), '{ "name": "mine", "type": "module" }\n');
    writeFileSync(join(project, 'server.js'), 'process.stdin.resume();\n');
    for (const file of ['.env', '.env.production', 'deploy.pem', 'service.key', '.npmrc', 'credentials.json']) {
      writeFileSync(join(project, file), 'SECRET=do-not-upload\n');
    }
    writeFileSync(join(project, '.env.example'), 'SECRET=\n');
    mkdirSync(join(project, '.aws'));
    writeFileSync(join(project, '.aws', 'config'), '[default]\n');
    mkdirSync(join(project, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(project, 'node_modules', 'dep', 'test.key'), 'a fixture of the dependency\n');
    const dir = mkdtempSync(join(tmpdir(), 'stdio-bundle-'));
    const bundle = await bundleStdio({ kind: 'script', file: join(project, 'server.js'), args: [] }, 'mine', dir);
    const uploaded = (...path: string[]) => existsSync(join(dir, 'server', ...path));
    expect(uploaded('server.js')).toBe(true);
    expect(uploaded('.env.example')).toBe(true);
    expect(uploaded('node_modules', 'dep', 'test.key')).toBe(true);
    for (const file of ['.env', '.env.production', 'deploy.pem', 'service.key', '.npmrc', 'credentials.json', '.aws']) {
      expect(uploaded(file), file).toBe(false);
    }
    expect([...bundle.leftOut].sort()).toEqual(
      ['.env', '.env.production', '.npmrc', 'credentials.json', 'deploy.pem', 'service.key'].sort(),
    );
  }, 120_000);

  it('refuses a script whose folder is the home directory: all of it would be uploaded', async () => {
    const home = mkdtempSync(join(tmpdir(), 'stdio-home-'));
    const file = join(home, 'server.js');
    writeFileSync(file, 'process.stdin.resume();\n');
    const saved = process.env.HOME;
    process.env.HOME = home; // os.homedir() reads it
    try {
      expect(homedir()).toBe(home);
      const refused = await bundleStdio(
        { kind: 'script', file, args: [] },
        'home',
        mkdtempSync(join(tmpdir(), 'stdio-bundle-')),
      ).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as Error).message).toContain(`its folder (${home}) would be uploaded whole`);
      expect((refused as UserError).options.hint).toContain('npm init -y');
    } finally {
      process.env.HOME = saved;
    }
  });
});
