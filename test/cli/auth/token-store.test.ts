import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTokens, removeTokens, tokenPath } from '../../../src/cli/auth/token-store.js';
import { UsageError } from '../../../src/cli/terminal/errors.js';
import { runCli } from '../../helpers/run-cli.js';

describe('where a sign-in is stored', () => {
  const env = { MCP_LAMBDA_CONFIG_DIR: '/config' };

  it('is one file per region and stack under the config directory', () => {
    expect(tokenPath(env, 'eu-west-1', 'mcp-lambda-dog-facts')).toBe('/config/tokens/eu-west-1/mcp-lambda-dog-facts.json');
  });

  it.each([
    ['../../x', 'mcp-lambda-dog-facts'],
    ['eu-west-1/..', 'mcp-lambda-dog-facts'],
    ['', 'mcp-lambda-dog-facts'],
    ['eu-west-1', '../../../home/me/.ssh/id'],
    ['eu-west-1', 'a/b'],
    ['eu-west-1', '.hidden'],
  ])('refuses region %j and stack %j as parts of a path, before any file is read', async (region, stack) => {
    expect(() => tokenPath(env, region, stack)).toThrow(UsageError);
    await expect(async () => readTokens(env, region, stack)).rejects.toThrow(UsageError);
    await expect(async () => removeTokens(env, region, stack)).rejects.toThrow(UsageError);
  });

  it('token --region with a path in it is a usage error (exit 2), not a read outside the config directory', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-lambda-token-path-'));
    const result = await runCli(['token', '--region', '../../x', '--stack-name', 'y'], {
      HOME: home,
      MCP_LAMBDA_CONFIG_DIR: join(home, 'config'),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('region "../../x" is not valid');
    expect(await readdir(home)).toEqual([]);
  });
});
