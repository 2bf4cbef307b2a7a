import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStdioCommand, splitCommandLine } from '../../../src/cli/stdio/command.js';
import { UsageError } from '../../../src/cli/terminal/errors.js';
import { elfHeader } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stdio-command-'));
const env = { PATH: join(dir, 'bin') };
mkdirSync(join(dir, 'bin'));

const read = (line: string) => readStdioCommand(line, dir, env);

async function refusal(line: string): Promise<UsageError> {
  const error = await read(line).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('--stdio command lines', () => {
  it('reads npx with -y, a scoped package, a version and its arguments (quotes as a shell reads them)', async () => {
    expect(await read('npx -y @modelcontextprotocol/server-memory@2026.8.31 --flag "a b"')).toEqual({
      kind: 'package',
      name: '@modelcontextprotocol/server-memory',
      version: '2026.8.31',
      args: ['--flag', 'a b'],
    });
    expect(await read('npx server-x')).toEqual({ kind: 'package', name: 'server-x', args: [] });
    expect(await read('npm exec --yes -- server-x@^1 one')).toEqual({
      kind: 'package',
      name: 'server-x',
      version: '^1',
      args: ['one'],
    });
    expect(await read('pnpm dlx @a/b@latest')).toEqual({ kind: 'package', name: '@a/b', version: 'latest', args: [] });
    expect(await read('npx -y -p @a/tools a-server stdio')).toEqual({
      kind: 'package',
      name: '@a/tools',
      bin: 'a-server',
      args: ['stdio'],
    });
  });

  it('reads node <file> and a bare script path, relative to the working directory', async () => {
    writeFileSync(join(dir, 'server.js'), 'console.log(1)\n');
    writeFileSync(join(dir, 'tool'), '#!/usr/bin/env node\nconsole.log(1)\n');
    expect(await read('node server.js --port 1')).toEqual({
      kind: 'script',
      file: join(dir, 'server.js'),
      args: ['--port', '1'],
    });
    expect(await read('./server.js')).toEqual({ kind: 'script', file: join(dir, 'server.js'), args: [] });
    expect(await read('./tool x')).toEqual({ kind: 'script', file: join(dir, 'tool'), args: ['x'] });
  });

  it('finds a bare command on PATH and reads what it is', async () => {
    writeFileSync(join(dir, 'bin', 'my-server'), '#!/usr/bin/env node\n');
    chmodSync(join(dir, 'bin', 'my-server'), 0o755);
    expect(await read('my-server a')).toEqual({ kind: 'script', file: join(dir, 'bin', 'my-server'), args: ['a'] });
  });

  it('refuses an empty line, shell operators, globs, variables and substitutions, saying why', async () => {
    expect(() => splitCommandLine('  ')).toThrow(/--stdio needs a command line/);
    expect((await refusal('node server.js | tee log')).message).toMatch(
      /"\|" is a shell operator, and the command is not run by a shell/,
    );
    expect((await refusal('node a.js && node b.js')).message).toMatch(/"&&" is a shell operator/);
    expect((await refusal('node a.js > out')).message).toMatch(/">" is a shell operator/);
    expect((await refusal('node *.js')).message).toMatch(/\*\.js is a file pattern/);
    const variable = await refusal('npx server-x --key $API_KEY');
    expect(variable.message).toMatch(/\$API_KEY is a shell variable/);
    expect(variable.options.hint).toContain('--env API_KEY=');
    expect((await refusal('node $(which server)')).message).toMatch(/\$\( \) is command substitution/);
    expect((await refusal('node `which server`')).message).toMatch(/backquotes/);
    expect((await refusal('node ~/server.js')).message).toMatch(/needs a shell to expand ~/);
  });

  it('refuses Python, containers, other runtimes and shells, saying what runs', async () => {
    for (const line of [
      'uvx mcp-server-fetch',
      'uv run server.py',
      'python -m server',
      'python3 server.py',
      'pip install x',
      'pipx run x',
    ]) {
      const error = await refusal(line);
      expect(error.message).toMatch(/Python servers are a later step/);
      expect(error.options.hint).toMatch(/npx <package>\[@version\] \[args\], or node <file\.js> \[args\]/);
    }
    expect((await refusal('docker run -i --rm mcp/fetch')).message).toMatch(
      /docker runs a container, and Lambda functions cannot start containers/,
    );
    expect((await refusal('podman run x')).message).toMatch(/podman runs a container/);
    expect((await refusal('bunx server')).message).toMatch(/another JavaScript runtime/);
    expect((await refusal('bash -c "node x.js"')).message).toMatch(/a shell script cannot run/);
  });

  it('refuses a shell script, a Python script, TypeScript and a binary for another platform', async () => {
    writeFileSync(join(dir, 'start.sh'), '#!/bin/sh\nexec node server.js\n');
    writeFileSync(join(dir, 'start'), '#!/usr/bin/env bash\nexec node server.js\n');
    writeFileSync(join(dir, 'server.py'), '#!/usr/bin/env python3\n');
    writeFileSync(join(dir, 'server.ts'), 'export {}\n');
    writeFileSync(join(dir, 'linux-x64'), elfHeader(62));
    writeFileSync(join(dir, 'linux-arm64'), elfHeader(183));
    writeFileSync(join(dir, 'mac'), Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0, 0, 0, 0]));
    writeFileSync(join(dir, 'server.exe'), Buffer.from('MZ\x90\x00'));
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    expect((await refusal('./start.sh')).message).toMatch(/a shell script cannot run/);
    expect((await refusal('./start')).message).toMatch(/a shell script cannot run/);
    expect((await refusal('./server.py')).message).toMatch(/Python servers are a later step/);
    expect((await refusal('node server.ts')).message).toMatch(/is TypeScript; node runs it only once it is built/);
    expect((await refusal('./linux-x64')).message).toMatch(/is a Linux program for x86-64; only Node\.js programs run/);
    expect((await refusal('./linux-arm64')).message).toMatch(/is a Linux arm64 program; only Node\.js programs run/);
    expect((await refusal('./mac')).message).toMatch(/a macOS program \(Mach-O\)/);
    expect((await refusal('./server.exe')).message).toMatch(/a Windows program \(PE\)/);
    expect((await refusal('node notes.txt')).message).toMatch(/is not a JavaScript file/);
  });

  it('refuses a command that does not exist, with the launcher meant', async () => {
    const typo = await refusal('npz -y server-x');
    expect(typo.message).toMatch(/there is no command npz \(not a file here, not on PATH\)/);
    expect(typo.options.hint).toMatch(/^Did you mean npx\?/);
    expect((await refusal('mcp-server-nowhere')).options.hint).not.toMatch(/Did you mean/);
    expect((await refusal('node missing.js')).message).toMatch(/missing\.js does not exist/);
  });

  it('refuses npx without a package, unknown npx options, and what is not a registry package', async () => {
    expect((await refusal('npx -y')).message).toMatch(/npx needs the package to run/);
    expect((await refusal('npx --registry x server')).message).toMatch(/npx's option --registry is not understood/);
    expect((await refusal('npx github:me/server')).message).toMatch(/is not a registry package name/);
    expect((await refusal('npx ./server.tgz')).message).toMatch(/is not a registry package name/);
    expect((await refusal('npx -p @a/tools')).message).toMatch(/-p names the package/);
    expect((await refusal('node --inspect server.js')).message).toMatch(/node's options \(--inspect\) are not passed/);
    expect((await refusal('node')).message).toMatch(/node needs the script/);
    expect((await refusal('npm start')).message).toMatch(/npm start is not a way to start a server/);
  });
});
