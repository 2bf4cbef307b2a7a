/**
 * Everything the CLI wrote on this machine for one stack, so `status` can list it and `destroy` can
 * remove exactly that.
 */
import { readStackRecord, removeStackRecord, stackRecordPath } from './stack-state.js';

export interface LocalArtifact {
  readonly kind: 'outputs';
  readonly description: string;
  readonly path: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export async function listLocalArtifacts(env: Env, region: string, stackName: string): Promise<LocalArtifact[]> {
  const found: LocalArtifact[] = [];
  if (await readStackRecord(env, region, stackName).catch(() => ({}))) {
    found.push({ kind: 'outputs', description: 'cached stack outputs', path: stackRecordPath(env, region, stackName) });
  }
  return found;
}

/** Removes what {@link listLocalArtifacts} finds; returns what was removed. */
export async function removeLocalArtifacts(env: Env, region: string, stackName: string): Promise<LocalArtifact[]> {
  const artifacts = await listLocalArtifacts(env, region, stackName);
  for (const artifact of artifacts) {
    if (artifact.kind === 'outputs') await removeStackRecord(env, region, stackName);
  }
  return artifacts;
}
