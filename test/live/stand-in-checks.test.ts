/**
 * The live suite's checks (test/live/checks/) against the stand-in built from the synthesized templates
 * of the two stacks the live run deploys, in every CI run: so the checks cannot rot, and what the
 * stand-in cannot serve is stated in the report as skipped, with why. Only deploy, destroy, the browser
 * on the managed login page and Cognito's own APIs are left to `MCP_LAMBDA_LIVE=1 npm run test:aws`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../src/stack/index.js';
import { runCli } from '../helpers/run-cli.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';
import { CLAIM_IDS, type ClaimId, type Row } from './checks/claims.js';
import { buildReport, WHOLE_JWT, writeReport } from './checks/report.js';
import { checkDeployedStacks, type CheckContext } from './checks/stack-checks.js';
import { deployFlags, GROUPED_TOOL, LIVE_ONLY, SEVERAL_STACK, SINGLE_STACK } from './live-stacks.js';

/** What the stand-in cannot serve, and why: these rows are skipped here and checked only live. */
const STAND_IN_CANNOT: Partial<Record<ClaimId, string>> = {
  'refresh-rotation': 'the stand-in Cognito has no GetTokensFromRefreshToken (nor has cognito-local)',
  'managed-login': 'the stand-in Cognito serves no login pages: its authorize answers as if signed in',
  'sign-up-allow-list': 'the stand-in runs no Cognito triggers and has no SignUp',
  secrets: 'the stand-in runs the handler in-process, without the cold start that reads Secrets Manager',
  'custom-domain': 'no domain on 127.0.0.1',
};

/** What passes against the stand-in: every claim but those above and the live-only steps. */
const PASSES_ON_STAND_IN: readonly ClaimId[] = [
  'challenge',
  'resource-binding',
  'refresh-keeps-aud',
  'tool-groups',
  'streaming',
  'several-servers',
  'redirect-uris',
];

let single: StandIn;
let several: StandIn;
const deployedMcpUrl = 'https://0abcdef123.execute-api.eu-west-1.amazonaws.com/prod/mcp';
const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp-lambda-live/live0a1b2c-AbCdEf';

beforeAll(async () => {
  single = await startStandIn({
    stack: SINGLE_STACK({
      deployedMcpUrls: [deployedMcpUrl],
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:live-AbCdEf',
    }),
  });
  several = await startStandIn({ stack: SEVERAL_STACK });
}, 60_000);
afterAll(async () => {
  await single?.close();
  await several?.close();
});

/** The person at the browser, on the stand-in: its authorize redirects at once (no login page). */
async function browse(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();
  return new URL(response.headers.get('location') ?? '', url).toString();
}

function context(): CheckContext {
  return {
    target: 'stand-in',
    unsupported: STAND_IN_CANNOT,
    single: { outputs: single.outputs, deployedMcpUrl },
    several: { outputs: several.outputs },
    groupedTool: GROUPED_TOOL,
    browse,
    accessTokenFor: async (groups) =>
      single.cognito.accessToken({
        clientId: single.outputs.McpOAuthClientId!,
        scope: `openid ${single.outputs.McpOAuthScope}`,
        ...(groups.length > 0 && { groups: [...groups] }),
      }),
    slowSeconds: 3,
  };
}

describe('the live checks against the stand-in', () => {
  let rows: Row[];
  beforeAll(async () => {
    rows = await checkDeployedStacks(context());
  }, 60_000);

  it.each(PASSES_ON_STAND_IN)('%s passes', (id) => {
    const row = rows.find((candidate) => candidate.id === id);
    expect(row?.status, JSON.stringify(row?.evidence)).toBe('passed');
  });

  it('skips, with the reason, exactly what the stand-in cannot serve', () => {
    const skippedRows = rows.filter((row) => row.status === 'skipped');
    expect(Object.fromEntries(skippedRows.map((row) => [row.id, row.evidence.reason]))).toEqual(STAND_IN_CANNOT);
    expect(rows.filter((row) => row.status === 'failed')).toEqual([]);
  });

  it('records evidence a person can judge: status codes and token claims', () => {
    const binding = rows.find((row) => row.id === 'resource-binding')!.evidence as Record<string, any>;
    expect(binding.token).toMatchObject({ status: 200, access: { aud: single.mcpUrl, token_use: 'access' } });
    expect(binding.unregisteredResource.token).toMatchObject({ status: 400, error: 'invalid_grant' });
    const groups = rows.find((row) => row.id === 'tool-groups')!.evidence as Record<string, any>;
    expect(groups.memberToken['cognito:groups']).toEqual([GROUPED_TOOL.group]);
    const challenge = rows.find((row) => row.id === 'challenge')!.evidence as Record<string, any>;
    expect(challenge.anonymous.status).toBe(401);
    const streaming = rows.find((row) => row.id === 'streaming')!.evidence as Record<string, any>;
    expect(streaming.timeline.progressMs.length).toBeGreaterThanOrEqual(2);
  });

  it('fails a check whose claim does not hold, keeping the evidence', async () => {
    // The same checks against a stack whose challenge names another scope: the row fails, with what was seen.
    const wrong = await checkDeployedStacks({
      ...context(),
      unsupported: Object.fromEntries(CLAIM_IDS.filter((id) => id !== 'challenge').map((id) => [id, 'not this test'])),
      single: { outputs: { ...single.outputs, McpOAuthScope: 'https://elsewhere.example/other' } },
    });
    expect(wrong[0]).toMatchObject({ id: 'challenge', status: 'failed', evidence: { anonymous: { status: 401 } } });
    expect(String(wrong[0]!.evidence.failure)).toContain('WWW-Authenticate does not name the metadata URL and the scope');
  });

  it('writes live-report.md and live-report.json: one row per claim, no token in them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-live-report-'));
    const now = new Date().toISOString();
    const report = buildReport({ target: 'stand-in', runTag: 'stand-in', startedAt: now, finishedAt: now }, rows, LIVE_ONLY);
    const paths = writeReport(dir, report);
    const json = JSON.parse(readFileSync(paths.json, 'utf8'));
    expect(json.rows.map((row: Row) => row.id)).toEqual(CLAIM_IDS);
    for (const row of json.rows) {
      expect(Object.keys(row).sort()).toEqual(['claim', 'evidence', 'id', 'status']);
      expect(['passed', 'failed', 'skipped']).toContain(row.status);
    }
    expect(json.summary).toEqual({
      passed: PASSES_ON_STAND_IN.length,
      failed: 0,
      skipped: CLAIM_IDS.length - PASSES_ON_STAND_IN.length,
    });
    // The rows only a live run makes (deploy, destroy, the browser) say so.
    for (const id of ['claude-code-login', 'deletion-protection', 'nothing-left'] as const) {
      expect(json.rows.find((row: Row) => row.id === id)).toMatchObject({ status: 'skipped', evidence: { reason: LIVE_ONLY } });
    }
    const markdown = readFileSync(paths.markdown, 'utf8');
    expect(markdown).toContain(`**${PASSES_ON_STAND_IN.length} passed, 0 failed`);
    expect(markdown).toContain('| `resource-binding`: ');
    expect(WHOLE_JWT.test(markdown) || WHOLE_JWT.test(readFileSync(paths.json, 'utf8'))).toBe(false);
  });
});

describe("the live run's deploy flags", () => {
  type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
  /** The MCP functions' environments, by function description, of a template. */
  const mcpEnvironments = (resources: Resources) =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'))
      .map((r) => r.Properties.Environment.Variables as Record<string, unknown>);
  const CHECKED = ['MCP_TOOL_GROUPS', 'MCP_SECRETS', 'MCP_TIMEOUT_SECONDS', 'MCP_SLOW_DEMO'];

  it('synthesize the stacks the stand-in checks: same settings, streaming, allow-list, the clients', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-live-flags-'));
    const out = join(home, 'single');
    const flags = deployFlags('single', { name: 'live', secretArn, allow: ['@example.org'] });
    const synth = await runCli(['synth', '--out', out, ...flags], { HOME: home });
    expect(synth.code, synth.stderr).toBe(0);
    const live = JSON.parse(readFileSync(join(out, 'mcp-lambda-live.template.json'), 'utf8')) as { Resources: Resources };
    const { stack } = buildApp({ ...SINGLE_STACK({ secretArn }), outdir: join(home, 'stand-in') });
    const standIn = Template.fromStack(stack).toJSON() as { Resources: Resources };
    const pick = (env: Record<string, unknown>) => Object.fromEntries(CHECKED.map((key) => [key, env[key]]));
    expect(mcpEnvironments(live.Resources).map(pick)).toEqual(mcpEnvironments(standIn.Resources).map(pick));
    expect(JSON.stringify(mcpEnvironments(live.Resources)[0]?.MCP_SECRETS)).toContain(secretArn);
    const methods = Object.values(live.Resources).filter(
      (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'ANY',
    );
    expect(methods.map((m) => m.Properties.Integration.ResponseTransferMode)).toEqual(['STREAM']);
    const callbacks = Object.values(live.Resources)
      .filter((r) => r.Type === 'AWS::Cognito::UserPoolClient')
      .flatMap((r) => r.Properties.CallbackURLs ?? []);
    expect(callbacks).toContain('cursor://anysphere.cursor-mcp/oauth/callback');
    expect(
      Object.values(live.Resources).some(
        (r) => r.Type === 'AWS::Lambda::Function' && /allow-listed/.test(String(r.Properties.Description)),
      ),
    ).toBe(true);
  }, 60_000);

  it('deploy several servers behind one API, with a sign-up policy (deploy refuses none when not interactive)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-live-flags-'));
    const flags = deployFlags('several', { name: 'team', allow: ['@example.org'] });
    expect(flags.slice(flags.indexOf('--signup'), flags.indexOf('--signup') + 4)).toEqual([
      '--signup',
      'allow-list',
      '--allow',
      '@example.org',
    ]);
    const synth = await runCli(['synth', '--out', join(home, 'out'), ...flags], { HOME: home });
    expect(synth.code, synth.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(home, 'out', 'mcp-lambda-team.template.json'), 'utf8')) as {
      Resources: Resources;
      Outputs: Record<string, unknown>;
    };
    expect(mcpEnvironments(template.Resources)).toHaveLength(SEVERAL_STACK.servers!.length);
    expect(template.Outputs.Servers).toBeDefined();
  }, 60_000);
});
