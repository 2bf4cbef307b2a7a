/**
 * The package as users get it: `npm pack` of this repository, installed into an empty folder with no dev
 * dependencies (and globally, into a prefix), then run from there — help, synth (built-in and --entry),
 * dev answering the official MCP client, and init depending on the installed version. Proves the tarball
 * holds every file a command needs and nothing imports a dev dependency. Needs the package registry (or
 * npm's cache) for the dependencies; `npm test` builds dist before this runs.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { connectClient } from '../helpers/mcp-client.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mcp-lambda-pack-'));
const app = join(scratch, 'app');
const global = join(scratch, 'global');
let tarball: string;
let files: string[];

/** npm with a quiet, registry-friendly set of flags; the npm cache makes a second install fast. */
const npm = (args: string[], cwd: string) =>
  exec('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    env: { ...process.env, npm_config_update_notifier: 'false' },
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });

beforeAll(async () => {
  // dist is built by `npm test` (and by prepare/prepack when packing for real).
  const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], root);
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(scratch, packed.filename);
  files = packed.files.map((file) => file.path);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  await npm(['install', '--omit=dev', tarball], app);
  await npm(['install', '--global', '--prefix', global, tarball], scratch);
}, 480_000);

afterAll(async () => {
  (await import('node:fs')).rmSync(scratch, { recursive: true, force: true });
});

const bin = () => join(app, 'node_modules', '.bin', 'mcp-lambda');
const cli = (args: string[], cwd = app) =>
  exec(bin(), args, { cwd, env: { PATH: process.env.PATH, HOME: scratch }, timeout: 60_000 });

describe('the packed package', () => {
  it('holds the CLI, the stack, the Lambda runtime and bundle, and no sources, tests or maps', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/mcp-lambda',
        'package.json',
        'README.md',
        'dist/cli-bundle/mcp-lambda.mjs',
        'dist/stack/index.js',
        'dist/lambda/custom.js',
        'dist/lambda/secrets.js',
        'dist/lambda/sdk-shims.js',
        'dist/lambda-bundle/index.mjs',
        'schema/mcp-lambda.schema.json',
      ]),
    );
    expect(files.filter((file) => /^(src|test|scripts)\/|\.map$|\.tsbuildinfo$|meta\.json$/.test(file))).toEqual([]);
  });

  it('runs from an empty folder with no dev dependencies: help and version', async () => {
    const help = await cli(['deploy', '--help']);
    expect(help.stdout).toContain('Usage: mcp-lambda deploy');
    expect(help.stdout).toContain('--profile <name>');
    expect((await cli(['--version'])).stdout.trim()).toBe(VERSION);
  });

  it('synthesizes the built-in stack and a custom --entry server', async () => {
    const builtin = await cli(['synth', '--signup', 'invite', '--json']);
    expect(Object.keys(JSON.parse(builtin.stdout).Resources).length).toBeGreaterThan(20);
    const entry = join(root, 'test', 'fixtures', 'entries', 'ts-with-dep', 'server.ts');
    const custom = await cli(['synth', '--entry', entry, '--name', 'fixture', '--signup', 'invite']);
    expect(custom.stderr).toContain('it starts and lists 1 tool (shout)');
  }, 60_000);

  it('serves dev to the official MCP client', async () => {
    const child = spawn(bin(), ['dev', '--port', '0', '--json'], { cwd: app, env: { PATH: process.env.PATH, HOME: scratch } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          // dev --json prints one (indented) JSON document once it listens.
          try {
            resolve((JSON.parse(out) as { url: string }).url);
          } catch {
            /* not all of it yet */
          }
        });
        child.on('exit', (code) => reject(new Error(`dev exited with ${code}`)));
      });
      const client = await connectClient(url, '2026-07-28');
      try {
        expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['getDogFacts']);
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('scaffolds a project that depends on the installed version, not on a name fetched at run time', async () => {
    await cli(['init', join(scratch, 'my-tools')], scratch);
    const pkg = JSON.parse(readFileSync(join(scratch, 'my-tools', 'package.json'), 'utf8'));
    expect(pkg.devDependencies['mcp-lambda']).toBe(`^${VERSION}`);
    expect(pkg.scripts.dev).toBe('mcp-lambda dev --entry ./server.ts');
  });

  it('installs globally too, as the mcp-lambda command', async () => {
    const { stdout } = await exec(join(global, 'bin', 'mcp-lambda'), ['--version'], { env: { PATH: process.env.PATH } });
    expect(stdout.trim()).toBe(VERSION);
  });
});
