/**
 * A streaming deployment's timeout, as the real Claude Code reads it: write-config puts the stack's limit
 * plus 10 s in the entry's `timeout`, and `claude mcp get` (Claude Code 2.1.328) reports it.
 */
import { describe, expect, it } from 'vitest';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { claudeHome, runClaude } from '../helpers/claude-code.js';
import { OUTPUTS } from '../helpers/fake-engine.js';
import { runCli } from '../helpers/run-cli.js';

describe('Claude Code and deploy --timeout', () => {
  it.each([
    ['300', 'Timeout: 310000ms'],
    ['29', undefined],
  ])('a stack with Timeout %s', { timeout: 120_000 }, async (timeout, shown) => {
    const where = claudeHome();
    await saveStackRecord(where.env, {
      stackName: 'mcp-lambda-dog-facts',
      region: 'eu-west-1',
      savedAt: '2026-11-25T04:00:00Z',
      // Nothing listens there: `mcp get` reports the entry whether or not it connects.
      outputs: { ...OUTPUTS, McpServerUrl: 'http://127.0.0.1:9/prod/mcp', Timeout: timeout },
    });
    const written = await runCli(['write-config', '--scope', 'user', '--region', 'eu-west-1'], where.env);
    expect(written.code, written.stderr).toBe(0);
    const got = await runClaude(['mcp', 'get', 'dog-facts'], where);
    expect(got.stdout).toContain('URL: http://127.0.0.1:9/prod/mcp');
    if (shown === undefined) expect(got.stdout).not.toContain('Timeout:');
    else expect(got.stdout).toContain(shown);
  });
});
