/**
 * Stored sign-ins: `<config>/tokens/<region>/<stack>.json`, mode 0600 (re-applied on every save). Holds
 * the refresh token and the current access token with its expiry; never a password.
 *
 * This module is on `mcp-lambda token`'s fast path: it imports nothing heavy.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, removeFile, writeJsonFile } from '../state/files.js';
import { configDir } from '../state/stack-state.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface StoredTokens {
  readonly stackName: string;
  readonly region: string;
  readonly serverName: string;
  readonly mcpServerUrl: string;
  readonly clientId: string;
  readonly username: string;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly refreshToken: string;
}

export function tokenPath(env: Env, region: string, stackName: string): string {
  return join(configDir(env), 'tokens', region, `${stackName}.json`);
}

export function readTokens(env: Env, region: string, stackName: string): Promise<StoredTokens | undefined> {
  return readJsonFile<StoredTokens>(tokenPath(env, region, stackName));
}

export function saveTokens(env: Env, tokens: StoredTokens): Promise<void> {
  return writeJsonFile(tokenPath(env, tokens.region, tokens.stackName), tokens, 0o600);
}

export function removeTokens(env: Env, region: string, stackName: string): Promise<boolean> {
  return removeFile(tokenPath(env, region, stackName));
}

/** Every stored sign-in (for picking one by the URL or name Claude Code passes). */
export async function listTokens(env: Env): Promise<StoredTokens[]> {
  const root = join(configDir(env), 'tokens');
  const found: StoredTokens[] = [];
  let regions: string[];
  try {
    regions = await readdir(root);
  } catch {
    return found;
  }
  for (const region of regions) {
    let files: string[];
    try {
      files = await readdir(join(root, region));
    } catch {
      continue;
    }
    for (const file of files.filter((name) => name.endsWith('.json'))) {
      const tokens = await readJsonFile<StoredTokens>(join(root, region, file)).catch(() => undefined);
      if (tokens) found.push(tokens);
    }
  }
  return found;
}
