/**
 * Everything the CLI wrote on this machine for one stack — cached outputs, the stored sign-in, the Claude
 * Code entries `write-config` wrote — so `status` can list it and `destroy` can remove exactly that.
 */
import { readTokens, removeTokens, tokenPath } from '../auth/token-store.js';
import { type ClientTarget, planClientEntry, writeClientEntry, writerFor } from '../clients/writers.js';
import { type ClaudeEntryRecord, readStackRecord, removeStackRecord, stackRecordPath } from './stack-state.js';

export type LocalArtifact =
  | { readonly kind: 'outputs'; readonly description: string; readonly path: string }
  | { readonly kind: 'tokens'; readonly description: string; readonly path: string }
  | { readonly kind: 'claude-entry'; readonly description: string; readonly path: string; readonly entry: ClaudeEntryRecord };

type Env = Readonly<Record<string, string | undefined>>;

const clientTitle = (client: string | undefined) => (client && writerFor(client)?.title) || 'Claude Code';

/** The file an entry was written to, in the format its client reads. */
function target(entry: ClaudeEntryRecord): ClientTarget {
  const prefix = [...(entry.prefix ?? (entry.projectPath ? ['projects', entry.projectPath, 'mcpServers'] : ['mcpServers']))];
  return writerFor(entry.client ?? '')?.kind === 'toml'
    ? { format: 'toml', target: { file: entry.file, prefix } }
    : { format: 'json', target: { file: entry.file, prefix } };
}

/** Whether the entry is still there and still points at the URL we wrote (clients name the field differently). */
async function entryStillOurs(entry: ClaudeEntryRecord): Promise<boolean> {
  try {
    const plan = await planClientEntry(target(entry), entry.entryName, undefined);
    const found = plan.existing as { url?: unknown; httpUrl?: unknown; serverUrl?: unknown } | undefined;
    return [found?.url, found?.httpUrl, found?.serverUrl].includes(entry.url);
  } catch {
    return false;
  }
}

export async function listLocalArtifacts(env: Env, region: string, stackName: string): Promise<LocalArtifact[]> {
  const found: LocalArtifact[] = [];
  const record = await readStackRecord(env, region, stackName).catch(() => undefined);
  if (record) found.push({ kind: 'outputs', description: 'cached stack outputs', path: stackRecordPath(env, region, stackName) });
  if (await readTokens(env, region, stackName).catch(() => undefined)) {
    found.push({ kind: 'tokens', description: 'stored sign-in', path: tokenPath(env, region, stackName) });
  }
  for (const entry of record?.claudeEntries ?? []) {
    if (await entryStillOurs(entry)) {
      const where = entry.projectPath ? `${entry.file} (project ${entry.projectPath})` : entry.file;
      found.push({
        kind: 'claude-entry',
        description: `${clientTitle(entry.client)} entry "${entry.entryName}" (${entry.scope})`,
        path: where,
        entry,
      });
    }
  }
  return found;
}

/** Removes what {@link listLocalArtifacts} finds; returns what was removed. */
export async function removeLocalArtifacts(env: Env, region: string, stackName: string): Promise<LocalArtifact[]> {
  const artifacts = await listLocalArtifacts(env, region, stackName);
  const removed: LocalArtifact[] = [];
  // Claude Code entries first: the record that lists them goes last.
  for (const artifact of artifacts) {
    if (artifact.kind !== 'claude-entry') continue;
    await writeClientEntry(target(artifact.entry), artifact.entry.entryName, undefined, 0o600);
    removed.push(artifact);
  }
  for (const artifact of artifacts) {
    if (artifact.kind === 'tokens') await removeTokens(env, region, stackName);
    else if (artifact.kind === 'outputs') await removeStackRecord(env, region, stackName);
    else continue;
    removed.push(artifact);
  }
  return removed;
}
