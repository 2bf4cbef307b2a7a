/**
 * Stored sign-ins: `<config>/tokens/<region>/<stack>.json`, mode 0600 (re-applied on every save). Holds
 * the refresh token and the current access token with its expiry; never a password.
 *
 * This module is on `mcp-lambda token`'s fast path: it imports nothing heavy.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readJsonFile, removeFile, writeJsonFile } from '../state/files.js';
import { type LockOptions, withFileLock } from '../state/lock.js';
import { configDir, safeSegment } from '../state/stack-state.js';

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
  /** The stack's servers when it has several (`mcp-lambda call --server` picks one): the sign-in covers all. */
  readonly servers?: readonly { readonly name: string; readonly url: string }[];
}

export function tokenPath(env: Env, region: string, stackName: string): string {
  return join(configDir(env), 'tokens', safeSegment('region', region), `${safeSegment('stack name', stackName)}.json`);
}

export function readTokens(env: Env, region: string, stackName: string): Promise<StoredTokens | undefined> {
  return readJsonFile<StoredTokens>(tokenPath(env, region, stackName));
}

/** Saves a sign-in under the same lock discipline as every other file the CLI writes. */
export async function saveTokens(env: Env, tokens: StoredTokens, lockOptions: LockOptions = {}): Promise<void> {
  const path = tokenPath(env, tokens.region, tokens.stackName);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await withFileLock(path, () => writeJsonFile(path, tokens, 0o600), lockOptions);
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
