/**
 * Everything the CLI wrote on this machine for one stack — cached outputs, the stored sign-in, the Claude
 * Code entries `write-config` wrote — so `status` can list it and `destroy` can remove exactly that.
 */
import { dirname } from 'node:path';
import { readTokens, removeTokens, tokenPath } from '../auth/token-store.js';
import { checkInsideProject } from '../clients/json-config.js';
import { type ClientTarget, planClientEntry, writeClientEntry, writerFor } from '../clients/writers.js';
import { type ClaudeEntryRecord, readStackRecord, removeStackRecord, stackRecordPath } from './stack-state.js';

export type LocalArtifact =
  | { readonly kind: 'outputs'; readonly description: string; readonly path: string }
  | { readonly kind: 'tokens'; readonly description: string; readonly path: string }
  | { readonly kind: 'claude-entry'; readonly description: string; readonly path: string; readonly entry: ClaudeEntryRecord };

type Env = Readonly<Record<string, string | undefined>>;

const clientTitle = (client: string | undefined) => (client && writerFor(client)?.title) || 'Claude Code';

/**
 * The file an entry was written to, in the format its client reads. A project-scope file keeps its
 * project (Claude Code's `.mcp.json` sits at the top of it, other clients' files in a dot-folder there), so
 * removing the entry is refused, like writing it, when a symlink now leads out of that project.
 */
function target(entry: ClaudeEntryRecord): ClientTarget {
  const prefix = [...(entry.prefix ?? (entry.projectPath ? ['projects', entry.projectPath, 'mcpServers'] : ['mcpServers']))];
  const writer = writerFor(entry.client ?? '');
  const root = writer ? dirname(dirname(entry.file)) : dirname(entry.file);
  const file = { file: entry.file, prefix, ...(entry.scope === 'project' && { root }) };
  return writer?.kind === 'toml' ? { format: 'toml', target: file } : { format: 'json', target: file };
}

/**
 * Whether the entry is still there, still points at the URL we wrote (clients name the field differently),
 * and its file can be edited where it is.
 */
async function entryStillOurs(entry: ClaudeEntryRecord): Promise<boolean> {
  try {
    // A project file that now leads out of its project is not ours to edit (the write would refuse it).
    await checkInsideProject(target(entry).target);
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
