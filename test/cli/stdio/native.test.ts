import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileKind, findNativeProblems } from '../../../src/cli/stdio/native.js';
import { elfHeader } from './helpers.js';

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'stdio-native-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const pkg = (name: string, extra: object = {}) => JSON.stringify({ name, version: '1.0.0', ...extra });

describe('file kinds', () => {
  it('reads ELF machines in either byte order, Mach-O, PE and shebangs', () => {
    expect(fileKind(elfHeader(183))).toMatchObject({ kind: 'elf', machine: 183 });
    expect(fileKind(elfHeader(62, true))).toMatchObject({ kind: 'elf', machine: 62, label: 'x86-64' });
    expect(fileKind(Buffer.from([0xfe, 0xed, 0xfa, 0xcf]))).toEqual({ kind: 'mach-o' });
    expect(fileKind(Buffer.from('MZ'))).toEqual({ kind: 'pe' });
    expect(fileKind(Buffer.from('#!/usr/bin/env -S node --no-warnings\n'))).toEqual({ kind: 'shebang', interpreter: 'node' });
    expect(fileKind(Buffer.from('#!/usr/local/bin/python3\n'))).toEqual({ kind: 'shebang', interpreter: 'python3' });
    expect(fileKind(Buffer.from('\x7fEL'))).toEqual({ kind: 'text' });
    expect(fileKind(Buffer.alloc(0))).toEqual({ kind: 'text' });
  });
});

describe('native add-ons in a package tree', () => {
  it('passes pure JavaScript and aarch64 add-ons', async () => {
    const root = tree({
      'package.json': pkg('app'),
      'node_modules/pure/package.json': pkg('pure'),
      'node_modules/pure/index.js': '',
      'node_modules/fast/package.json': pkg('fast'),
      'node_modules/fast/build/Release/fast.node': elfHeader(183),
    });
    expect(await findNativeProblems(root)).toEqual([]);
  });

  it('refuses an add-on built for x86-64 or macOS, naming the package and the file', async () => {
    const root = tree({
      'package.json': pkg('app'),
      'node_modules/sqlite-thing/package.json': pkg('sqlite-thing'),
      'node_modules/sqlite-thing/build/Release/sqlite.node': elfHeader(62),
      'node_modules/@scope/mac-only/package.json': pkg('@scope/mac-only'),
      'node_modules/@scope/mac-only/lib/binding.node': Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]),
    });
    const problems = await findNativeProblems(root);
    expect(problems).toContainEqual({
      package: 'sqlite-thing',
      reason: 'its native add-on build/Release/sqlite.node is a Linux program for x86-64, and Lambda runs Linux on arm64',
    });
    expect(problems).toContainEqual({
      package: '@scope/mac-only',
      reason: expect.stringContaining('lib/binding.node is a macOS program (Mach-O)'),
    });
  });

  it('ignores prebuilds for other platforms when one for linux-arm64 is there, and refuses when none is', async () => {
    const good = tree({
      'node_modules/multi/package.json': pkg('multi', { gypfile: true }),
      'node_modules/multi/binding.gyp': '{}',
      'node_modules/multi/prebuilds/darwin-x64/multi.node': Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
      'node_modules/multi/prebuilds/linux-x64/multi.glibc.node': elfHeader(62),
      'node_modules/multi/prebuilds/linux-arm64/multi.glibc.node': elfHeader(183),
    });
    expect(await findNativeProblems(good)).toEqual([]);
    const bad = tree({
      'node_modules/multi/package.json': pkg('multi'),
      'node_modules/multi/binding.gyp': '{}',
      'node_modules/multi/prebuilds/darwin-x64/multi.node': Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
      'node_modules/multi/prebuilds/linux-x64/multi.node': elfHeader(62),
    });
    expect(await findNativeProblems(bad)).toEqual([
      {
        package: 'multi',
        reason: expect.stringMatching(
          /builds a native add-on when it is installed \(binding\.gyp\) and ships none prebuilt for linux-arm64; install scripts are not run/,
        ),
      },
    ]);
  });

  it('refuses a package that builds its add-on at install (gypfile) and has none', async () => {
    const root = tree({
      'node_modules/gyp-only/package.json': pkg('gyp-only', { gypfile: true }),
      'node_modules/gyp-only/src/a.cc': '',
    });
    expect(await findNativeProblems(root)).toEqual([{ package: 'gyp-only', reason: expect.stringContaining('binding.gyp') }]);
  });

  it('reads a broken package.json as a package named by its path (never throws on it)', async () => {
    const root = tree({ 'node_modules/broken/package.json': '{ nope', 'node_modules/broken/x.node': elfHeader(62) });
    expect(await findNativeProblems(root)).toEqual([
      { package: join('node_modules', 'broken'), reason: expect.stringContaining('x86-64') },
    ]);
  });
});
