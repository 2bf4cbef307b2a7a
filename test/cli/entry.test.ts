/** Your own server: the bundler, dev --entry, synth/deploy --entry and init, on fixture servers. */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseConfigText } from '../../src/cli/config/read.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cliDependency, cliPackageRoot } from '../../src/cli/commands/init.js';
import { bundleEntry, checkAndRecord, EntryError, loadCheck } from '../../src/cli/entry/bundle.js';
import type { ApiGatewayHandler } from '../../src/lambda/edge/api-gateway.js';
import { readManifest } from '../../src/lambda/custom.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';
import { VERSION } from '../../src/version.js';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../helpers/fake-engine.js';
import { connectClient } from '../helpers/mcp-client.js';
import { render } from '../helpers/render.js';
import { runCli, startCli } from '../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'entries');
const scratch = mkdtempSync(join(tmpdir(), 'mcp-lambda-entry-test-'));
afterAll(() => {
  /* temp dirs are left to the OS */
});

/** Every file a bundle directory holds (the entry and its chunks), as one text. */
function bundleText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

async function bundled(fixture: string) {
  return bundleEntry({ entry: join(fixtures, fixture), outdir: mkdtempSync(join(scratch, 'b-')), cwd: root });
}

async function failure(work: Promise<unknown>): Promise<EntryError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EntryError);
  return error as EntryError;
}

describe('bundling an entry', () => {
  it('bundles TypeScript with an npm dependency into ESM files that start and list their tools', async () => {
    const { file, bytes } = await bundled('ts-with-dep/server.ts');
    expect(bytes).toBeLessThan(450 * 1024);
    const code = bundleText(join(file, '..'));
    expect(code).toContain('toUpperCase');
    expect(code).not.toMatch(/from\s*"(shout|zod|@modelcontextprotocol\/server)"/);
    expect(await loadCheck(file)).toEqual(['shout']);
  });

  it('bundles CommonJS JavaScript with one copy of the MCP SDK', async () => {
    const { file } = await bundled('cjs/server.cjs');
    expect(await loadCheck(file)).toEqual(['add']);
    // A text the SDK holds once per copy: two copies would break its instanceof checks.
    const code = bundleText(join(file, '..'));
    expect(code.split('still serving another request').length - 1).toBe(1);
  });

  it('reports a syntax error with file:line:column', async () => {
    const error = await failure(bundled('broken/server.ts'));
    expect(error.message).toBe(
      'The entry does not build:\ntest/fixtures/entries/broken/server.ts:4:68: Expected ")" but found ";"',
    );
  });

  it('says what to export when there is no default export', async () => {
    // The module is imported after the secrets are read (at run time), so the check that starts it says so.
    const { file } = await bundled('no-default/server.ts');
    const error = await failure(loadCheck(file));
    expect(error.message).toContain('The entry has no default export. Export a function that returns an McpServer');
  });

  it('catches a server that throws while starting, with its message', async () => {
    const { file } = await bundled('throws/server.ts');
    const error = await failure(loadCheck(file));
    expect(error.message).toBe('The server fails when it starts: FIXTURE_API_KEY is not set');
    expect(await loadCheck(file, { FIXTURE_API_KEY: 'set' })).toEqual([]);
  });

  it('refuses a default export that is not a factory', async () => {
    const { file } = await bundled('not-factory/server.ts');
    const error = await failure(loadCheck(file));
    expect(error.message).toContain("The entry's default export is an object");
    expect(error.message).toContain('not a function');
  });

  it("refuses a bundle over Lambda's size limit", async () => {
    const error = await failure(
      bundleEntry({
        entry: join(fixtures, 'ts-with-dep/server.ts'),
        outdir: mkdtempSync(join(scratch, 'b-')),
        cwd: root,
        maxBytes: 100 * 1024,
      }),
    );
    expect(error.message).toMatch(/^The bundle is 0\.\d MB; Lambda takes at most 0\.1 MB unzipped\./);
  });

  it('says when the entry does not exist', async () => {
    const error = await failure(bundleEntry({ entry: 'nope/server.ts', outdir: scratch, cwd: root }));
    expect(error.message).toBe(`The entry nope/server.ts does not exist (looked for ${join(root, 'nope/server.ts')}).`);
  });
});

describe('the recorded manifest', () => {
  const event = (body: unknown, headers: Record<string, string>) =>
    ({
      httpMethod: 'POST',
      path: '/mcp',
      headers: { host: 'h', 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      multiValueHeaders: {},
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId: 'r' },
    }) as never;
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };

  it('answers initialize, discover and tools/list without importing the module; a tool call imports it once', async () => {
    const { file } = await bundled('lazy/server.ts');
    expect((await checkAndRecord(file)).manifest).toBe('recorded');
    const manifest = readManifest(pathToFileURL(join(file, '..', 'manifest.json')));
    expect(manifest?.tools).toEqual(['echo']);
    const loads = globalThis as { fixtureLazyLoads?: number };
    delete loads.fixtureLazyLoads;
    const bundle = (await import(pathToFileURL(file).href)) as {
      createHandler: (env: object, log: (r: RequestLogRecord) => void, manifest: unknown) => ApiGatewayHandler;
    };
    const logs: RequestLogRecord[] = [];
    const handler = bundle.createHandler({}, (record) => logs.push(record), manifest);
    const legacy = { 'mcp-protocol-version': '2025-11-25' };
    const init = await handler(
      event(
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        },
        {},
      ),
    );
    expect(JSON.parse(init.body).result.serverInfo.name).toBe('fixture-lazy');
    expect(
      JSON.parse((await handler(event({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, legacy))).body).result.tools[0].name,
    ).toBe('echo');
    const discover = await handler(
      event(
        { jsonrpc: '2.0', id: 3, method: 'server/discover', params: { _meta: envelope } },
        { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
      ),
    );
    expect(JSON.parse(discover.body).result.instructions).toBe('Echoes.');
    expect(loads.fixtureLazyLoads).toBeUndefined();
    expect(logs.map((record) => record.path)).toEqual(['fast', 'fast', 'fast']);

    const called = await handler(
      event(
        { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } },
        { ...legacy, accept: 'application/json' },
      ),
    );
    expect(JSON.parse(called.body).result.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(loads.fixtureLazyLoads).toBe(1);
    expect(logs.at(-1)?.path).toBeUndefined();
  });

  it.each([
    ['per-caller/server.ts', 'its initialize or tools/list answers depend on who asks (ctx.authInfo)'],
    ['no-manifest/server.ts', 'the module exports manifest = false'],
  ])('records nothing for %s: every request goes to the SDK', async (fixture, reason) => {
    const { file } = await bundled(fixture);
    expect((await checkAndRecord(file)).manifest).toEqual({ skipped: reason });
    expect(existsSync(join(file, '..', 'manifest.json'))).toBe(false);
  });

  it('serves every request with the SDK when manifest.json is not one it wrote, and says so once', async () => {
    const dir = mkdtempSync(join(scratch, 'm-'));
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((line: string) => lines.push(line) > 0) as typeof process.stdout.write;
    try {
      writeFileSync(join(dir, 'manifest.json'), '{"legacy": 1}');
      expect(readManifest(pathToFileURL(join(dir, 'manifest.json')))).toBeUndefined();
      writeFileSync(join(dir, 'manifest.json'), 'not json');
      expect(readManifest(pathToFileURL(join(dir, 'manifest.json')))).toBeUndefined();
      expect(readManifest(pathToFileURL(join(dir, 'missing.json')))).toBeUndefined();
    } finally {
      process.stdout.write = write;
    }
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'error',
      msg: 'startup',
      reason: expect.stringContaining('not a manifest'),
    });
  });

  it('deploy says when a server cannot be answered from a manifest', async () => {
    const out = mkdtempSync(join(scratch, 'o-'));
    const result = await runCli([
      'synth',
      '--entry',
      join(fixtures, 'per-caller', 'server.ts'),
      '--name',
      'per-caller',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'Every request will load your module and the MCP SDK (slower cold starts): its initialize or tools/list answers depend on who asks (ctx.authInfo).',
    );
  });
});

describe('dev --entry', () => {
  it('serves tools, prompts and resources with the request id and env, and rebuilds on change keeping the last good build', async () => {
    // A copy inside the repository, so its imports resolve like a project's would.
    const project = mkdtempSync(join(root, '.test-entry-'));
    cpSync(join(fixtures, 'ts-with-dep'), project, { recursive: true });
    const dev = startCli(['dev', '--port', '0', '--json', '--entry', join(project, 'server.ts')], { FIXTURE_MOTD: 'woof' });
    try {
      const url = JSON.parse(await dev.waitForStdout('}\n', 20_000)).url as string;
      const client = await connectClient(url, '2026-07-28');
      const first = await client.callTool({ name: 'shout', arguments: { text: 'hi' } });
      expect((first.content as Array<{ text: string }>)[0]?.text).toMatch(/^HI! \(request [0-9a-f-]{36}\)$/);
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greeting']);
      const motd = await client.readResource({ uri: 'fixture://motd' });
      expect((motd.contents[0] as { text: string }).text).toBe('message of the day: woof');
      await client.close();
      // Nothing changed yet: no "Rebuilt" (esbuild's watch builds once more at start).
      expect(dev.output().stderr).not.toContain('Rebuilt');

      const source = readFileSync(join(project, 'server.ts'), 'utf8');
      writeFileSync(join(project, 'server.ts'), source.replace('${shout(text)}', '${shout(text)} v2'));
      await expect
        .poll(
          async () => {
            const c = await connectClient(url, '2025-11-25');
            const r = await c.callTool({ name: 'shout', arguments: { text: 'hi' } });
            await c.close();
            return (r.content as Array<{ text: string }>)[0]?.text ?? '';
          },
          { timeout: 10_000, interval: 200 },
        )
        .toMatch(/^HI! v2/);
      expect(dev.output().stderr.match(/Rebuilt .*server\.ts\./g)).toHaveLength(1);

      writeFileSync(join(project, 'server.ts'), `${source}\nexport const broken = ;\n`);
      await expect
        .poll(() => dev.output().stderr, { timeout: 10_000, interval: 100 })
        .toContain('Still serving the last good build.');
      expect(dev.output().stderr).toMatch(/server\.ts:\d+:\d+: Unexpected ";"/);
      const still = await connectClient(url, '2025-11-25');
      expect(
        ((await still.callTool({ name: 'shout', arguments: { text: 'x' } })).content as Array<{ text: string }>)[0]?.text,
      ).toMatch(/^X! v2/);
      await still.close();
    } finally {
      dev.interrupt();
      expect(await dev.exit).toBe(0);
      (await import('node:fs')).rmSync(project, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to start on a broken entry, naming the line', async () => {
    const result = await runCli(['dev', '--port', '0', '--entry', join(fixtures, 'broken', 'server.ts')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\/server\.ts:4:68: Expected "\)" but found ";"/);
  });
});

describe('synth and deploy --entry', () => {
  it('synth ships the custom bundle under the deployment name and scope', async () => {
    const out = join(mkdtempSync(join(scratch, 's-')), 'cdk.out');
    const result = await runCli([
      'synth',
      '--entry',
      join(fixtures, 'ts-with-dep', 'server.ts'),
      '--name',
      'my-tools',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Bundled .*server\.ts: [\d.]+ KiB; it starts and lists 1 tool \(shout\)\./);
    const template = JSON.parse(readFileSync(join(out, 'mcp-lambda-my-tools.template.json'), 'utf8'));
    expect(render(template.Outputs.McpOAuthScope.Value)).toMatch(/\/prod\/mcp\/my-tools$/);
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    const shipped = assets.map((name) => join(out, name)).filter((dir) => existsSync(join(dir, 'index.mjs')));
    const shippedDir = shipped.find((dir) => bundleText(dir).includes('fixture-ts'));
    expect(shippedDir).toBeDefined();
    // The entry, its chunks and the recorded manifest; not the wrapper source or esbuild's metafile.
    expect(readdirSync(shippedDir ?? '').sort()).toEqual(['chunks', 'index.mjs', 'manifest.json']);
    expect(result.stderr).toContain('Recorded its initialize and tools/list answers');
  });

  it('synth checks the options before bundling the entry', async () => {
    const result = await runCli(['synth', '--entry', join(fixtures, 'ts-with-dep', 'server.ts'), '--name', 'Bad_Name']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('server name "Bad_Name" is not valid');
    expect(result.stderr).not.toContain('Bundling');
  });

  it('deploy bundles the entry and deploys it as its own stack', async () => {
    const cloud = new FakeCloud();
    const home = mkdtempSync(join(scratch, 'h-'));
    const result = await runCli(
      ['deploy', '--entry', join(fixtures, 'cjs', 'server.cjs'), '--name', 'adder', '--signup', 'invite'],
      { HOME: home },
      {
        deployEngine: cloud.factory(),
        prompter: scriptedPrompter({}),
      },
    );
    expect(result.code).toBe(0);
    expect(cloud.lastRequest?.stack).toMatchObject({ stackName: 'mcp-lambda-adder', serverName: 'adder' });
    const dir = (cloud.lastRequest?.stack as { lambdaBundleDir?: string }).lambdaBundleDir ?? '';
    expect(bundleText(dir)).toContain('fixture-cjs');
  });

  it('refuses a later deploy without --entry (it would put dog facts in place of your server)', async () => {
    const cloud = new FakeCloud();
    const redeploy = (serverCode: string) => {
      cloud.stacks.set('mcp-lambda-adder', {
        stackName: 'mcp-lambda-adder',
        status: 'UPDATE_COMPLETE',
        outputs: { ...OUTPUTS, ServerName: 'adder', ServerCode: serverCode },
      });
      return runCli(
        ['deploy', '--name', 'adder', '--signup', 'invite'],
        { HOME: mkdtempSync(join(scratch, 'h-')) },
        { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
      );
    };
    const result = await redeploy('entry');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('This stack runs your own server (deployed with --entry or --stdio)');
    expect(result.stderr).toContain('mcp-lambda deploy --name adder --entry <its file>');
    expect(cloud.calls.some((call) => call.startsWith('deploy'))).toBe(false);
    // A built-in server's stack redeploys without one.
    const builtIn = await redeploy('built-in dog-facts');
    expect(builtIn.code, builtIn.stderr).toBe(0);
  });

  it.each([
    [['--entry', join('test', 'fixtures', 'entries', 'with-key', 'server.ts')], 2, '--entry needs --name'],
    [['--entry', 'x.ts'], 1, 'The entry x.ts does not exist'],
    [['--entry', 'missing.ts', '--name', 'x'], 1, 'The entry missing.ts does not exist'],
  ])('deploy %j fails before touching AWS', async (args, code, message) => {
    const cloud = new FakeCloud();
    const result = await runCli(
      ['deploy', ...args],
      { HOME: mkdtempSync(join(scratch, 'h-')) },
      { cwd: root, deployEngine: cloud.factory() },
    );
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
  });

  it('asks who and where before bundling, and deploys nothing when the server fails to start', async () => {
    const cloud = new FakeCloud();
    const result = await runCli(
      ['deploy', '--entry', join('test', 'fixtures', 'entries', 'throws', 'server.ts'), '--name', 'x'],
      { HOME: mkdtempSync(join(scratch, 'h-')) },
      { cwd: root, deployEngine: cloud.factory() },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The server fails when it starts: FIXTURE_API_KEY is not set');
    expect(cloud.calls).toEqual(['identity']);
  });
});

describe('several servers: deploy --entry name=file --entry …', () => {
  const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
  const SEVERAL = {
    ...OUTPUTS,
    McpServerUrl: `${BASE}/shouter/mcp`,
    McpOAuthScope: `${BASE}/all-servers`,
    OAuthMetadataUrl: `${BASE}/.well-known/oauth-protected-resource`,
    ServerName: 'team',
    Servers: JSON.stringify(
      ['shouter', 'cjs'].map((name) => ({
        name,
        url: `${BASE}/${name}/mcp`,
        scope: `${BASE}/${name}/mcp/${name}`,
        metadataUrl: `${BASE}/.well-known/oauth-protected-resource/${name}/mcp`,
      })),
    ),
  };
  const deploy = (cloud: FakeCloud, args: string[], home = mkdtempSync(join(scratch, 'h-'))) =>
    runCli(
      ['deploy', '--signup', 'invite', ...args],
      { HOME: home },
      { cwd: root, deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );

  it('bundles each entry as a server of its own, named by name= or by its file, and lists them', async () => {
    const cloud = new FakeCloud();
    cloud.outputs = SEVERAL;
    const result = await deploy(cloud, [
      '--name',
      'team',
      '--entry',
      `shouter=${join(fixtures, 'ts-with-dep', 'server.ts')}`,
      '--entry',
      join(fixtures, 'cjs', 'server.cjs'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const servers = (cloud.lastRequest?.stack as { servers?: { name: string; lambdaBundleDir: string }[] }).servers ?? [];
    expect(servers.map((server) => server.name)).toEqual(['shouter', 'cjs']);
    expect(bundleText(servers[0]?.lambdaBundleDir ?? '')).toContain('fixture-ts');
    expect(bundleText(servers[1]?.lambdaBundleDir ?? '')).toContain('fixture-cjs');
    expect(cloud.lastRequest?.stack).toMatchObject({ stackName: 'mcp-lambda-team', serverName: 'team' });
    expect(result.stderr).toContain(
      'Servers: shouter, cjs, each at /<name>/mcp with its own scope; one user pool and sign-in for all.',
    );
    expect(result.stdout).toContain('Servers (each with its own scope; the sign-in covers all):');
    expect(result.stdout).toMatch(/ {4}shouter {2}https:\/\/abc123\.execute-api\.eu-west-1\.amazonaws\.com\/prod\/shouter\/mcp/);
    expect(result.stdout).not.toContain('[{');
  });

  it('refuses a later deploy that leaves the servers out (it would remove them), naming them', async () => {
    const cloud = new FakeCloud();
    cloud.stacks.set('mcp-lambda-team', { stackName: 'mcp-lambda-team', status: 'UPDATE_COMPLETE', outputs: SEVERAL });
    const result = await deploy(cloud, ['--name', 'team']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('This stack serves several servers (shouter, cjs); a deploy without them would remove them.');
    expect(result.stderr).toContain('mcp-lambda deploy --name team --entry shouter=<its file> --entry cjs=<its file>');
    expect(cloud.calls.some((call) => call.startsWith('deploy'))).toBe(false);
  });

  it('lets a later deploy drop a server, or go back to one server at /mcp (saying what goes away)', async () => {
    const cloud = new FakeCloud();
    const seed = () =>
      cloud.stacks.set('mcp-lambda-team', { stackName: 'mcp-lambda-team', status: 'UPDATE_COMPLETE', outputs: SEVERAL });
    seed();
    const one = await deploy(cloud, ['--name', 'team', '--entry', join(fixtures, 'cjs', 'server.cjs')]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain('The stack serves one server from now on, at /mcp');
    expect((cloud.lastRequest?.stack as { servers?: unknown }).servers).toBeUndefined();
    seed();
    const fewer = await deploy(cloud, [
      '--name',
      'team',
      '--entry',
      `shouter=${join(fixtures, 'ts-with-dep', 'server.ts')}`,
      '--entry',
      `adder=${join(fixtures, 'cjs', 'server.cjs')}`,
    ]);
    expect(fewer.code, fewer.stderr).toBe(0);
    expect(fewer.stderr).not.toContain('from now on');
  });

  it.each([
    [['--entry', 'a.ts', '--entry', 'b.ts'], 'Several --entry flags need --name'],
    [['--name', 't', '--entry', 'a=x.ts', '--entry', 'a=y.ts'], 'each server needs a name of its own'],
    [['--name', 't', '--entry', 'one=x.ts'], 'a name goes with several entries (one server is named by --name)'],
    [['--name', 't', '--entry', 'aws-tools=x.ts', '--entry', 'b=y.ts'], 'Cognito domain prefixes may not contain "aws"'],
    [['--name', 't', ...Array.from({ length: 11 }, (_, i) => ['--entry', `s${i}=x.ts`]).flat()], 'from 2 to 10 servers'],
    [['--name', 't', '--entry', '123.ts', '--entry', 'b=y.ts'], 'no server name can be made from the file name'],
  ])('deploy %j is refused before bundling or AWS', async (args, message) => {
    const cloud = new FakeCloud();
    const result = await deploy(cloud, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('Bundling');
    expect(cloud.calls).toEqual([]);
  });

  it('synth writes a function per server', async () => {
    const out = join(mkdtempSync(join(scratch, 's-')), 'cdk.out');
    const result = await runCli([
      'synth',
      '--name',
      'team',
      '--entry',
      `shouter=${join(fixtures, 'ts-with-dep', 'server.ts')}`,
      '--entry',
      `adder=${join(fixtures, 'cjs', 'server.cjs')}`,
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(out, 'mcp-lambda-team.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string; Properties: { Description?: string } }>)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'))
      .map((r) => r.Properties.Description);
    expect(functions.sort()).toEqual(['MCP server adder (mcp-lambda)', 'MCP server shouter (mcp-lambda)']);
    expect(result.stdout).toContain('mcp-lambda-team  servers shouter, adder at /<name>/mcp');
    expect(result.stdout).toMatch(/Lambda bundle \(shouter\) {2}[\d.]+ KiB/);
    expect(result.stdout).toMatch(/Lambda bundle \(adder\) {4}[\d.]+ KiB/);
  });
});

describe('init', () => {
  it('scaffolds a project whose server bundles and whose test passes', async () => {
    const parent = mkdtempSync(join(root, '.test-init-'));
    try {
      const dir = join(parent, 'My Tools');
      // Inside this repository (for its node_modules): allowed only when asked for.
      const result = await runCli(['init', dir, '--inside-package']);
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(dir).sort()).toEqual([
        '.gitignore',
        'README.md',
        'mcp-lambda.jsonc',
        'package.json',
        'server.test.ts',
        'server.ts',
        'tsconfig.json',
        'vendor',
      ]);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(pkg.name).toBe('my-tools');
      expect(pkg.scripts.deploy).toBe('mcp-lambda deploy');
      expect(parseConfigText(readFileSync(join(dir, 'mcp-lambda.jsonc'), 'utf8'), 'mcp-lambda.jsonc')).toEqual({
        name: 'my-tools',
        servers: { 'my-tools': { entry: './server.ts' } },
      });
      // The scripts run the mcp-lambda the project depends on — here this clone, packed into the project's
      // vendor/ (no absolute path, so it installs on another machine; no scripts, so nothing rebuilds) — and
      // never npx a name.
      expect(pkg.devDependencies['mcp-lambda']).toBe(`file:vendor/mcp-lambda-${VERSION}.tgz`);
      const { stdout: listing } = await promisify(execFile)('tar', ['-tzf', join(dir, 'vendor', `mcp-lambda-${VERSION}.tgz`)]);
      expect(listing).toContain('package/bin/mcp-lambda');
      expect(listing).toContain('package/dist/cli-bundle/mcp-lambda.mjs');
      expect(listing).not.toContain('package/src/');
      expect(result.stderr).toContain(`mcp-lambda from this clone (vendor/mcp-lambda-${VERSION}.tgz: commit it)`);
      for (const script of Object.values(pkg.scripts as Record<string, string>)) expect(script).not.toMatch(/npx/);
      const { file } = await bundleEntry({ entry: join(dir, 'server.ts'), outdir: join(parent, 'out'), cwd: dir });
      expect(await loadCheck(file)).toEqual(['greet', 'forget']);
      // It type-checks as written (strict), against the SDK it depends on.
      await promisify(execFile)(
        process.execPath,
        [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')],
        {
          cwd: dir,
        },
      );
      // Its own config, so this repository's vitest.config.ts (found upward) does not apply.
      writeFileSync(join(parent, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'] } };\n");
      const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [vitest, 'run', '--config', join(parent, 'vitest.config.mjs')],
        {
          cwd: dir,
          env: { ...process.env, CI: 'true' },
        },
      );
      expect(stdout).toMatch(/1 passed/);
    } finally {
      (await import('node:fs')).rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);

  it('will not make a project inside another package unless asked, and writes nothing', async () => {
    const parent = mkdtempSync(join(scratch, 'pkg-'));
    writeFileSync(join(parent, 'package.json'), '{"name":"host"}\n');
    const result = await runCli(['init', join(parent, 'tools')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is inside the package at ${parent}`);
    expect(result.stderr).toContain('--inside-package');
    expect(readdirSync(parent)).toEqual(['package.json']);
  });

  it('depends on the published version when the CLI is installed, and on the clone when it runs from one', () => {
    expect(cliDependency('/usr/lib/node_modules/mcp-lambda')).toBe(`^${VERSION}`);
    expect(cliDependency('/home/me/project/node_modules/mcp-lambda')).toBe(`^${VERSION}`);
    expect(cliDependency('/home/me/src/mcp-lambda')).toBe('file:/home/me/src/mcp-lambda');
    expect(cliPackageRoot()).toBe(realpathSync(root));
  });

  it('refuses a non-empty directory and leaves it as it was', async () => {
    const dir = mkdtempSync(join(scratch, 'i-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const result = await runCli(['init', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not empty (notes.txt, src)');
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'src']);
  });
});
