/**
 * toolkit-lib's own `diff` on the stack as the real engine synthesizes it, offline: against a template
 * file (DiffMethod.LocalFile), so no AWS is asked. It proves what the engine relies on: one diff, under
 * the stack's name, that ../../../src/cli/deploy/stack-changes.ts reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createIoHost } from '../../../src/cli/deploy/io-host.js';
import { summarizeDiff } from '../../../src/cli/deploy/stack-changes.js';
import { assemblySource } from '../../../src/cli/deploy/toolkit-plan.js';
import { IDENTITY } from '../../helpers/fake-engine.js';

const STACK = 'mcp-lambda-dog-facts';
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('diffs the synthesized stack under its own name, and the changes read as the engine reads them', async () => {
  const { Toolkit, DiffMethod, StackSelectionStrategy } = await import('@aws-cdk/toolkit-lib');
  dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-diff-'));
  const ioHost = createIoHost({ onProgress: () => {}, confirmSecurityChanges: async () => false });
  const toolkit = new Toolkit({ ioHost, emojis: false, color: false });
  // What is deployed: the same stack with the default memory, synthesized by the toolkit as a deploy does.
  const deployed = join(dir, 'deployed.json');
  const before = await toolkit.synth(
    await assemblySource(toolkit, { stack: { stackName: STACK, signUp: { mode: 'invite' } }, identity: IDENTITY }),
  );
  writeFileSync(deployed, JSON.stringify(before.cloudAssembly.getStackByName(STACK).template));
  await before.dispose();

  const source = await assemblySource(toolkit, {
    stack: { stackName: STACK, signUp: { mode: 'invite' }, memoryMb: 1024 },
    identity: IDENTITY,
  });
  const diffs = await toolkit.diff(source, {
    stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE, patterns: [STACK] },
    method: DiffMethod.LocalFile(deployed),
  });
  expect(Object.keys(diffs)).toEqual([STACK]);
  const diff = diffs[STACK];
  if (!diff) throw new Error('no diff');
  const changes = summarizeDiff(diff, { newStack: false, method: 'template' });
  expect(changes.resources).toEqual([
    { logicalId: 'ServerFunctionB9E3FD9F', resourceType: 'AWS::Lambda::Function', action: 'change', properties: ['MemorySize'] },
  ]);
  expect(changes.iam).toEqual({ resources: [], statements: [], managedPolicies: [], broadened: false });
  // The stack says its memory in an output, so status prices at it (#27).
  expect(changes.outputs).toEqual([{ key: 'Memory', before: '512', after: '1024' }]);
  expect(ioHost.errors).toEqual([]);
});
