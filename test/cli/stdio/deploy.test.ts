/** `deploy --stdio` against a stand-in of the deployed stack (AWS is the only fake). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkServersKept } from '../../../src/cli/plan/deploy-plan.js';
import { describePackageChanges, readPackagesOutput } from '../../../src/cli/stdio/prepare.js';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'stdio-deploy-'));
const MEMORY = '@modelcontextprotocol/server-memory';

describe('the Packages output', () => {
  it('reads one package or one per server, and says which versions change', () => {
    expect(readPackagesOutput(`${MEMORY}@2026.8.31`)).toEqual({ '': `${MEMORY}@2026.8.31` });
    expect(readPackagesOutput(`memory=${MEMORY}@1.0.0 fetch=mcp-fetch@2.0.0`)).toEqual({
      memory: `${MEMORY}@1.0.0`,
      fetch: 'mcp-fetch@2.0.0',
    });
    expect(readPackagesOutput(undefined)).toEqual({});
    expect(describePackageChanges(`${MEMORY}@2026.8.31`, { '': `${MEMORY}@2026.9.1` })).toEqual([
      'server-memory: 2026.8.31 → 2026.9.1',
    ]);
    expect(describePackageChanges(`memory=${MEMORY}@1.0.0`, { memory: 'other-server@3.0.0' })).toEqual([
      `memory: ${MEMORY}@1.0.0 → other-server@3.0.0`,
    ]);
    // The same version, a server that is new, or no packages at all: nothing to say.
    expect(describePackageChanges(`${MEMORY}@1.0.0`, { '': `${MEMORY}@1.0.0` })).toEqual([]);
    expect(describePackageChanges(undefined, { '': `${MEMORY}@1.0.0` })).toEqual([]);
    expect(describePackageChanges(`${MEMORY}@1.0.0`, undefined)).toEqual([]);
  });

  it('names the command a stack deployed with --stdio needs again', () => {
    expect(() => checkServersKept({ ServerCode: 'entry', Packages: `${MEMORY}@2026.8.31` }, undefined, ' --name memory')).toThrow(
      'This stack runs your own server (deployed with --stdio); a deploy without it would replace it with dog facts.',
    );
    try {
      checkServersKept({ ServerCode: 'entry', Packages: `${MEMORY}@2026.8.31` }, undefined, ' --name memory');
    } catch (error) {
      expect((error as { options: { hint: string } }).options.hint).toBe(
        `Deploy it again with its command: mcp-lambda deploy --name memory --stdio "npx -y ${MEMORY}@2026.8.31"`,
      );
    }
  });
});

describe('mcp-lambda deploy --stdio', () => {
  it('deploys the installed package and says when its version changes from the deployed one', async () => {
    const cloud = new FakeCloud();
    cloud.stacks.set('mcp-lambda-memory', {
      stackName: 'mcp-lambda-memory',
      status: 'UPDATE_COMPLETE',
      outputs: { ...OUTPUTS, ServerName: 'memory', ServerCode: 'entry', Packages: `${MEMORY}@2026.8.30` },
    });
    const result = await runCli(
      [
        'deploy',
        '--name',
        'memory',
        '--signup',
        'invite',
        '--stdio',
        `npx -y ${MEMORY}@2026.8.31`,
        '--env',
        'MEMORY_FILE_PATH=/tmp/memory.jsonl',
      ],
      { HOME: mkdtempSync(join(scratch, 'h-')) },
      { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('server-memory: 2026.8.30 → 2026.8.31');
    expect(cloud.lastRequest?.stack).toMatchObject({
      packages: { '': `${MEMORY}@2026.8.31` },
      environment: { MEMORY_FILE_PATH: '/tmp/memory.jsonl' },
    });
  }, 180_000);
});
