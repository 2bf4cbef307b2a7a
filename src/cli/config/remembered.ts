/**
 * How a deployed stack says what ./keys.ts keys hold (its outputs, as strings), and how a rule of the stack's
 * that throws becomes a problem a file's key is refused with.
 */

/** A deployed stack's outputs (what it remembers). */
export type Outputs = Readonly<Record<string, string>>;

/** A rule of the stack's that throws, as a problem said in the file. */
export const rule = (check: (value: string) => unknown) => (value: string) => {
  try {
    check(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};
export const number = (value: string | undefined) => (value === undefined || !/^\d+$/.test(value) ? undefined : Number(value));
export const list = (value: string | undefined) => (value === undefined || value === '' ? undefined : value.split(','));

/** The settings of the deployed stack (its `ServerSettings` output). */
export function settingsOf(outputs: Outputs, kind: 'env' | 'secrets'): Record<string, string> | undefined {
  try {
    const parsed = JSON.parse(outputs.ServerSettings ?? '') as Record<string, Record<string, string>>;
    const found = parsed[kind];
    return found && Object.keys(found).length > 0 ? found : undefined;
  } catch {
    return undefined;
  }
}

export function domainOf(outputs: Outputs): { certificate?: string; zone?: string } | undefined {
  if (!outputs.CustomDomain) return undefined;
  const certificate = outputs.DomainCertificate;
  const zone = /^created in (Z[A-Z0-9]+)$/.exec(outputs.DomainRecord ?? '')?.[1];
  return { ...(certificate?.startsWith('arn:') && { certificate }), ...(zone !== undefined && { zone }) };
}

/** The stage of an execute-api URL (a domain of your own has none in its URLs). */
export function stageOf(outputs: Outputs): string | undefined {
  return /^https:\/\/[^/]+\.execute-api\.[^/]+\/([^/]+)\/\.well-known\/oauth-protected-resource$/.exec(
    outputs.OAuthMetadataUrl ?? '',
  )?.[1];
}
