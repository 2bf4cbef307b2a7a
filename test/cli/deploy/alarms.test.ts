/**
 * deploy --alarms <email> / --latency-alarm-ms / --no-alarms: bad flags refused before AWS (exit 2), the
 * alarms deployed with their price in the cost line and the confirmation mail named, kept by a later
 * deploy (its threshold changeable alone), removed with --no-alarms; and synth with them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeCloud, OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
const DEPLOYED = { ...OUTPUTS, SignUpPolicy: 'invite', Alarms: '{"email":"ops@example.com","latencyMs":3000}' };
let cloud: FakeCloud;
let home: string;

beforeEach(() => {
  cloud = new FakeCloud();
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
});

function deploy(args: string[]) {
  return runCli(['deploy', '--region', 'eu-west-1', ...args], { HOME: home }, { deployEngine: cloud.factory() });
}

/** Deploys again over a stack deployed with these outputs. */
function redeployOver(outputs: Record<string, string>, args: string[] = []) {
  cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs });
  return deploy(args);
}

describe('deploy --alarms: bad flags', () => {
  it.each([
    [['--alarms', 'ops'], 'expected an email address (use an email address such as ops@example.com), got "ops".'],
    [['--alarms', 'ops@example'], 'got "ops@example".'],
    [
      ['--alarms', 'ops@example.com', '--latency-alarm-ms', '50'],
      'expected milliseconds: a whole number from 100 to 900000, got "50".',
    ],
    [['--alarms', 'ops@example.com', '--latency-alarm-ms', '2.5s'], 'got "2.5s".'],
    [['--no-alarms', '--latency-alarm-ms', '3000'], '--no-alarms removes the alarms; --latency-alarm-ms is for --alarms.'],
  ])('refuses %j before AWS, exit 2', async (args, message) => {
    const result = await deploy(['--allow', 'a@example.com', ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
  });

  it('refuses --latency-alarm-ms on a stack without alarms, with the flag that adds them', async () => {
    const result = await deploy(['--allow', 'a@example.com', '--latency-alarm-ms', '3000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--latency-alarm-ms sets the threshold of the alarms, and this stack has none.');
    expect(result.stderr).toContain('--alarms you@example.com --latency-alarm-ms 3000');
    expect(cloud.lastRequest).toBeUndefined();
  });

  it('stops on an Alarms output it did not write, with the flags to give', async () => {
    const result = await redeployOver({ ...DEPLOYED, Alarms: 'on' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The stack's Alarms output is not one mcp-lambda wrote: "on".`);
    expect(result.stderr).toContain('--no-alarms');
    // Either flag the hint names then deploys.
    const named = await redeployOver({ ...DEPLOYED, Alarms: 'on' }, ['--alarms', 'ops@example.com']);
    expect(named.code, named.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toEqual({ email: 'ops@example.com', latencyMs: 5000 });
    const removed = await redeployOver({ ...DEPLOYED, Alarms: 'on' }, ['--no-alarms']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toBeUndefined();
  });
});

describe('deploy --alarms', () => {
  it('deploys them, counts them in the cost line and says the address must confirm AWS’s mail', async () => {
    const result = await deploy(['--allow', 'a@example.com', '--alarms', ' ops@example.com ']);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toEqual({ email: 'ops@example.com', latencyMs: 5000 });
    expect(result.stderr).toContain(
      'Alarms: mailed to ops@example.com, latency over 5000 ms at p95. AWS mails that address a confirmation link first.',
    );
    expect(result.stderr).toContain('plus $0.80 a month for one secret and 4 alarms ($0.10 each);');
    expect(result.stderr).toContain('AWS has mailed ops@example.com a link to confirm the alarms');
    expect(result.stderr).toContain('the alarms mail nobody until it is followed');

    const json = await deploy(['--allow', 'a@example.com', '--alarms', 'ops@example.com', '--json']);
    const document = JSON.parse(json.stdout);
    expect(document.costEstimate.fixedPerMonth).toBeCloseTo(0.8, 5);
    expect(document.alarmConfirmationMailedTo).toBe('ops@example.com');
  });

  it('keeps them on a later deploy without the flag, and changes only the threshold with --latency-alarm-ms', async () => {
    const kept = await redeployOver(DEPLOYED);
    expect(kept.code, kept.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toEqual({ email: 'ops@example.com', latencyMs: 3000 });
    expect(kept.stderr).toContain(
      'Alarms: mailed to ops@example.com, latency over 3000 ms at p95 (as deployed; --no-alarms removes them).',
    );
    expect(kept.stderr).toContain('and 4 alarms ($0.10 each)');
    expect(kept.stderr).not.toContain('AWS has mailed');

    const faster = await redeployOver(DEPLOYED, ['--latency-alarm-ms', '1500']);
    expect(faster.code, faster.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toEqual({ email: 'ops@example.com', latencyMs: 1500 });

    // A new address keeps the threshold, and is mailed a confirmation.
    const moved = await redeployOver(DEPLOYED, ['--alarms', 'oncall@example.com']);
    expect(cloud.lastRequest?.stack.alarms).toEqual({ email: 'oncall@example.com', latencyMs: 3000 });
    expect(moved.stderr).toContain('AWS has mailed oncall@example.com a link');
  });

  it('removes them with --no-alarms, and says so', async () => {
    const removed = await redeployOver(DEPLOYED, ['--no-alarms']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toBeUndefined();
    expect(removed.stderr).toContain('Alarms: removed, with their topic and its subscription (--no-alarms).');
    expect(removed.stderr).not.toContain('alarms ($0.10 each)');
  });

  it('has none by default', async () => {
    const result = await deploy(['--allow', 'a@example.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.alarms).toBeUndefined();
    expect(result.stderr).not.toContain('Alarms:');
  });
});

describe('synth --alarms', () => {
  it('puts the topic and the alarms in the template, and refuses a threshold without an address', async () => {
    const result = await runCli(['synth', '--alarms', 'ops@example.com', '--latency-alarm-ms', '2000', '--json'], { HOME: home });
    expect(result.code, result.stderr).toBe(0);
    const resources = Object.values(JSON.parse(result.stdout).Resources as Record<string, { Type: string; Properties: any }>);
    expect(resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(4);
    expect(resources.find((r) => r.Properties?.MetricName === 'Latency')?.Properties.Threshold).toBe(2000);

    const alone = await runCli(['synth', '--latency-alarm-ms', '2000'], { HOME: home });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--latency-alarm-ms sets the threshold of --alarms: name the address to mail too.');
  });
});
