/**
 * The live suite (`MCP_LAMBDA_LIVE=1 npm run test:aws`, through test/live/run.mjs): proves or disproves on
 * a real account every claim the stand-ins make, and writes live-report.md and live-report.json.
 *
 * It deploys two stacks in parallel with the built CLI (test/live/live-stacks.ts), deploys the first
 * again so Codex's redirect URI is registered, runs the checks of test/live/checks/ against them with
 * headless Chromium on the managed login page, signs the real Claude Code in, then — in afterAll, in
 * every outcome unless MCP_LAMBDA_LIVE_KEEP=1 — destroys both, deletes the run's secret and looks for
 * anything left with the run's tag. Everything it makes carries the tag: stack names, the secret's tag.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClaimId, CLAIMS, type Row, skipped } from './checks/claims.js';
import { buildReport, writeReport } from './checks/report.js';
import { checkDeployedStacks, checkDestroyed } from './checks/stack-checks.js';
import {
  awsClients,
  type Clients,
  cognitoHooks,
  createPoolUser,
  createRunSecret,
  deleteRunSecret,
  leftovers,
  mcpFunctionEnvironment,
  passwordAccessToken,
  poolDeletionProtection,
  poolExists,
  type PoolUser,
  stackExists,
} from './aws/account.js';
import { chromiumPath, openManagedLogin } from './aws/browser.js';
import { checkClaudeCodeLogin } from './aws/claude-login.js';
import { deployFlags, GROUPED_TOOL, SECRET_KEY } from './live-stacks.js';

const env = process.env;
const enabled = env.MCP_LAMBDA_LIVE === '1';
const keep = env.MCP_LAMBDA_LIVE_KEEP === '1';
const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '';
const emailDomain = env.MCP_LAMBDA_LIVE_EMAIL_DOMAIN ?? '';
const domain =
  env.MCP_LAMBDA_LIVE_DOMAIN && env.MCP_LAMBDA_LIVE_HOSTED_ZONE
    ? { name: env.MCP_LAMBDA_LIVE_DOMAIN, zone: env.MCP_LAMBDA_LIVE_HOSTED_ZONE }
    : undefined;
const reportDir = env.MCP_LAMBDA_LIVE_REPORT_DIR ?? join(process.cwd(), 'live-report');
const plan = JSON.parse(readFileSync(join(import.meta.dirname, 'plan.json'), 'utf8')) as { cost: string };

const runTag = `live${randomBytes(3).toString('hex')}`;
const names = { single: runTag, several: `${runTag}-team` };
const stackName = (name: string) => `mcp-lambda-${name}`;
const bin = join(import.meta.dirname, '..', '..', 'bin', 'mcp-lambda');

/** Runs the built CLI with --json --yes; its JSON, or an error with the end of its stderr. */
function cli(...args: string[]): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...args, '--json', '--yes'],
      { env: { ...env, AWS_REGION: region }, maxBuffer: 20 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`mcp-lambda ${args[0]} failed (${error.code}): ${stderr.slice(-800)}`));
        else resolve(JSON.parse(stdout) as Record<string, any>);
      },
    );
  });
}

const startedAt = new Date().toISOString();
const rows: Row[] = [];
const notes: string[] = [];
const deployed = new Set<string>();
const outputs: { single?: Record<string, string>; several?: Record<string, string> } = {};
let clients: Clients;
let secretArn: string | undefined;
let protectedBefore: string | undefined;
let users: { member: PoolUser; outsider: PoolUser; several: PoolUser } | undefined;

const userEmail = (role: string) => `${runTag}-${role}@${emailDomain}`;

/** Checks what the run needs (before spending anything), then deploys and makes the users. */
async function prepare(): Promise<void> {
  const missing = [
    !region && 'AWS_REGION',
    !emailDomain && 'MCP_LAMBDA_LIVE_EMAIL_DOMAIN',
    emailDomain &&
      !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(emailDomain) &&
      `MCP_LAMBDA_LIVE_EMAIL_DOMAIN as a domain such as example.org, not "${emailDomain}"`,
    !domain &&
      (env.MCP_LAMBDA_LIVE_DOMAIN || env.MCP_LAMBDA_LIVE_HOSTED_ZONE) &&
      'MCP_LAMBDA_LIVE_DOMAIN and MCP_LAMBDA_LIVE_HOSTED_ZONE together',
    !existsSync(chromiumPath()) && `Chromium at ${chromiumPath()} (apt-get install chromium, or MCP_LAMBDA_LIVE_CHROMIUM)`,
  ].filter(Boolean);
  if (missing.length > 0)
    throw new Error(
      `the live run needs ${missing.join(' and ')} (npm run test:aws without MCP_LAMBDA_LIVE=1 lists what it needs)`,
    );
  console.log(`Live run ${runTag} in ${region}. Cost: ${plan.cost}.`);
  clients = awsClients(region);
  secretArn = await createRunSecret(clients, runTag);
  const deploy = async (which: 'single' | 'several') => {
    const name = names[which];
    deployed.add(name);
    const flags = deployFlags(which, {
      name,
      secretArn,
      allow: [`@${emailDomain}`],
      ...(which === 'single' && domain && { domain }),
    });
    return (await cli('deploy', ...flags)).outputs as Record<string, string>;
  };
  const started = Date.now();
  // Both to the end, even when one fails: clean-up must not race a deploy still running.
  const [single, several] = await Promise.allSettled([deploy('single'), deploy('several')]);
  if (single.status === 'rejected') throw single.reason;
  if (several.status === 'rejected') throw several.reason;
  notes.push(`the two deploys took ${Math.round((Date.now() - started) / 1000)} s`);
  // Codex's redirect URI holds a hash of the MCP URL the first deploy made: the same deploy again registers it.
  const again = Date.now();
  outputs.single = await deploy('single');
  outputs.several = several.value;
  notes.push(`the second deploy (Codex's redirect URI) took ${Math.round((Date.now() - again) / 1000)} s`);
  if (outputs.single.McpServerUrl !== single.value.McpServerUrl) notes.push('the second deploy changed the MCP URL');
  protectedBefore = await poolDeletionProtection(clients, outputs.single.UserPoolId ?? '');
  users = {
    member: await createPoolUser(clients, outputs.single.UserPoolId ?? '', userEmail('member'), [GROUPED_TOOL.group]),
    outsider: await createPoolUser(clients, outputs.single.UserPoolId ?? '', userEmail('outsider')),
    several: await createPoolUser(clients, outputs.several.UserPoolId ?? '', userEmail('team')),
  };
}

describe.skipIf(!enabled)(`live run ${runTag}`, () => {
  beforeAll(async () => {
    try {
      await prepare();
    } catch (error) {
      notes.push(`setup failed: ${(error as Error).message}`);
      throw error;
    }
  });

  afterAll(async () => {
    try {
      if (keep) {
        rows.push(
          skipped(
            'deletion-protection',
            `kept for debugging (--keep): destroy with mcp-lambda destroy --name ${names.single} and --name ${names.several}`,
          ),
        );
        rows.push(skipped('nothing-left', `kept (--keep); the secret ${secretArn ?? '(none)'} too`));
        return;
      }
      const destroyed = await Promise.allSettled([...deployed].map((name) => cli('destroy', '--name', name)));
      destroyed.forEach((result) => {
        if (result.status === 'rejected') notes.push(String(result.reason));
      });
      if (outputs.single) {
        const poolId = outputs.single.UserPoolId ?? '';
        rows.push(
          await checkDestroyed({
            protectedBefore,
            stackExists: () => stackExists(clients, stackName(names.single)),
            poolExists: () => poolExists(clients, poolId),
          }),
        );
      }
      if (secretArn) await deleteRunSecret(clients, secretArn).catch((error: Error) => notes.push(`secret: ${error.message}`));
      if (clients) {
        const pools = [outputs.single?.UserPoolId, outputs.several?.UserPoolId].filter((id): id is string => id !== undefined);
        // A deletion may take a moment to show: look again before calling anything left.
        let left = await leftovers(clients, runTag, pools);
        for (let attempt = 0; attempt < 3 && left.length > 0; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10_000));
          left = await leftovers(clients, runTag, pools);
        }
        rows.push({
          id: 'nothing-left',
          claim: CLAIMS['nothing-left'],
          status: left.length === 0 ? 'passed' : 'failed',
          evidence: { runTag, left },
        });
      }
    } finally {
      const report = buildReport(
        {
          target: 'live',
          runTag,
          region,
          startedAt,
          finishedAt: new Date().toISOString(),
          costEstimate: plan.cost,
          ...(notes.length > 0 && { notes }),
        },
        rows,
        'not run: an earlier step failed (see notes)',
      );
      const paths = writeReport(reportDir, report);
      console.log(
        `Report: ${paths.markdown} (${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped)`,
      );
    }
  });

  it('checks each claim against the deployed stacks', async () => {
    const single = outputs.single!;
    const several = outputs.several!;
    const people = users!;
    const severalOrigin = new URL(several.McpOAuthAuthorizationUrl ?? '').origin;
    const login = await openManagedLogin((url) => (url.origin === severalOrigin ? people.several : people.outsider), {
      screenshots: reportDir,
    });
    try {
      const unsupported: Partial<Record<ClaimId, string>> = domain
        ? {}
        : { 'custom-domain': 'no MCP_LAMBDA_LIVE_DOMAIN and MCP_LAMBDA_LIVE_HOSTED_ZONE given' };
      rows.push(
        ...(await checkDeployedStacks({
          target: 'live',
          unsupported,
          single: { outputs: single },
          several: { outputs: several },
          ...(domain && { domain: domain.name }),
          groupedTool: GROUPED_TOOL,
          browse: (url, redirectUri) => login.browse(url, redirectUri),
          accessTokenFor: (groups) =>
            passwordAccessToken(
              clients,
              single.McpOAuthClientId ?? '',
              groups.includes(GROUPED_TOOL.group) ? people.member : people.outsider,
            ),
          cognito: cognitoHooks(clients, single.McpOAuthClientId ?? ''),
          signUpAddresses: { allowed: userEmail('signup'), refused: `${runTag}@not-on-the-list.example.com` },
          secret: { key: SECRET_KEY, functionEnvironment: () => mcpFunctionEnvironment(clients, stackName(names.single)) },
        })),
      );
    } finally {
      await login.close();
    }
  });

  it('signs the real Claude Code in with claude mcp login', async () => {
    rows.push(
      await checkClaudeCodeLogin({
        name: names.single,
        stackName: stackName(names.single),
        region,
        outputs: outputs.single!,
        user: users!.outsider,
      }),
    );
  });

  it('every claim checked holds', () => {
    expect(rows.filter((row) => row.status === 'failed')).toEqual([]);
  });
});
