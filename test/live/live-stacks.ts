/**
 * The two stacks a live run deploys, as `deploy` flags (live) and as stack options (the stand-in built
 * from the same template in CI): one definition, so the stand-in checks what the live run deploys.
 *
 * - single: the built-in dog facts, streaming (`--timeout 60`) with `getDogFactsSlowly` restricted to a
 *   group, a Secrets Manager secret, an allow-list sign-up policy, and Cursor's and Codex's redirect URIs;
 * - several: two servers behind one API, user pool and sign-in (its API-wide resource server).
 */
import { join } from 'node:path';
import type { McpServerStackOptions } from '../../src/stack/index.js';

/** A tool only members of a group may use, on the single stack. */
export const GROUPED_TOOL = { tool: 'getDogFactsSlowly', group: 'live-slow' } as const;
/** The variable the single stack's secret fills. */
export const SECRET_KEY = 'LIVE_SECRET';
/** The reason on rows only a live run can make. */
export const LIVE_ONLY = 'live only: needs a deploy, a destroy or the browser (MCP_LAMBDA_LIVE=1 npm run test:aws)';

const TIMEOUT_SECONDS = 60;
const CLIENTS = ['claude-code', 'cursor', 'codex'] as const;
const SEVERAL = ['notes', 'weather'] as const;
/** An MCP server module for each of the several servers (an echo tool). */
const ENTRY = join(import.meta.dirname, '..', 'fixtures', 'entries', 'lazy', 'server.ts');

export interface SingleStackInput {
  readonly secretArn: string;
  /** The MCP URL a first deploy made, for Codex's redirect URI (its second deploy registers it). */
  readonly deployedMcpUrls?: readonly string[];
  /** The addresses and `@domains` that may register. @default nobody */
  readonly allow?: readonly string[];
}

/** The single-server stack's options, for the stand-in. */
export function SINGLE_STACK(input: SingleStackInput): McpServerStackOptions {
  return {
    serverName: 'live',
    timeoutSeconds: TIMEOUT_SECONDS,
    slowDemo: true,
    toolGroups: { [GROUPED_TOOL.tool]: [GROUPED_TOOL.group] },
    clients: [...CLIENTS],
    signUp: { mode: 'allow-list', allow: [...(input.allow ?? [])] },
    secrets: { [SECRET_KEY]: input.secretArn },
    ...(input.deployedMcpUrls && { deployedMcpUrls: [...input.deployedMcpUrls] }),
  };
}

/** The several-servers stack's options, for the stand-in (each server the built-in, as the template has it). */
export const SEVERAL_STACK: McpServerStackOptions = {
  serverName: 'team',
  servers: SEVERAL.map((name) => ({ name })),
};

/** The same stacks as `deploy` flags (`--yes --json` are added by the runner). */
export function deployFlags(
  stack: 'single' | 'several',
  run: {
    readonly name: string;
    readonly secretArn?: string;
    readonly allow?: readonly string[];
    readonly domain?: { name: string; zone: string };
  },
): string[] {
  // Not claims under test, chosen so a run fits any account: no reserved concurrency (a new account has
  // 10 executions in all), no access logs (they need the account's API Gateway CloudWatch role), one day of logs.
  const common = [
    '--name',
    run.name,
    '--reserved-concurrency',
    'none',
    '--no-access-logs',
    '--log-retention',
    '1',
    // Not interactive, deploy refuses to guess who may register.
    '--signup',
    'allow-list',
    ...(run.allow ?? []).flatMap((address) => ['--allow', address]),
  ];
  if (stack === 'several') return [...common, ...SEVERAL.flatMap((name) => ['--entry', `${name}=${ENTRY}`])];
  return [
    ...common,
    '--timeout',
    String(TIMEOUT_SECONDS),
    '--slow-demo',
    '--tool-groups',
    `${GROUPED_TOOL.tool}=${GROUPED_TOOL.group}`,
    '--clients',
    CLIENTS.join(','),
    '--secret',
    `${SECRET_KEY}=${run.secretArn ?? ''}`,
    ...(run.domain ? ['--domain', run.domain.name, '--hosted-zone', run.domain.zone] : []),
  ];
}
