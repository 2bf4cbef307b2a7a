import { describe, expect, it } from 'vitest';
import { describeCost, estimateCost, PRICES } from '../../../src/cli/deploy/cost.js';
import { FakeCloud } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('the cost estimate', () => {
  it('adds API Gateway, Lambda requests and Lambda compute per million requests', () => {
    // 1M × 0.1 s × 0.5 GB = 50,000 GB-s × $0.0000133334 = $0.667, plus $0.20 of requests.
    const cost = estimateCost(512, 100);
    expect(cost.lambdaPerMillion).toBeCloseTo(0.867, 3);
    expect(cost.perMillionRequests).toBeCloseTo(PRICES.apiGatewayPerMillion + 0.867, 3);
    // One secret by default: the requestState key (the machine client's only with --machine-client).
    expect(cost.fixedPerMonth).toBeCloseTo(0.4, 5);
    expect(estimateCost(1024, 100).lambdaPerMillion).toBeGreaterThan(cost.lambdaPerMillion);
  });

  it('says what it is made of and that the prices are dated list prices', () => {
    expect(describeCost(512)).toBe(
      "Cost, roughly: $4.37 per million requests (API Gateway $3.50, Lambda $0.87 at 512 MB and 100 ms each), plus $0.40 a month for one secret; Cognito is free up to 10,000 monthly users, then $0.015 each. (us-east-1 list prices of 2025-10; check your region's.)",
    );
  });

  it('counts the secrets it is given: a requestState key per server, the machine client’s', () => {
    expect(describeCost(512, 100, 2)).toContain('plus $0.80 a month for two secrets;');
    expect(describeCost(512, 100, 4)).toContain('plus $1.60 a month for 4 secrets;');
    expect(estimateCost(512, 100, 4).fixedPerMonth).toBeCloseTo(1.6, 5);
  });

  it('counts the alarms it is given (--alarms), at their dated monthly price', () => {
    expect(PRICES.alarmPerMonth).toBe(0.1);
    expect(estimateCost(512, 100, 1, 4).fixedPerMonth).toBeCloseTo(0.8, 5);
    expect(describeCost(512, 100, 1, 4)).toContain('plus $0.80 a month for one secret and 4 alarms ($0.10 each);');
    expect(describeCost(512, 100, 1, 0)).not.toContain('alarms');
  });

  it('is printed by deploy, and in its JSON', async () => {
    const cloud = new FakeCloud();
    const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
    const text = await runCli(
      ['deploy', '--allow', 'a@example.com', '--memory', '1024'],
      { HOME: home },
      { deployEngine: cloud.factory() },
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain('Cost, roughly: $5.03 per million requests');
    expect(text.stderr).toContain('at 1024 MB');
    const json = await runCli(
      ['deploy', '--allow', 'a@example.com', '--json'],
      { HOME: home },
      { deployEngine: cloud.factory() },
    );
    expect(JSON.parse(json.stdout).costEstimate).toMatchObject({ currency: 'USD', pricesAsOf: '2025-10', region: 'us-east-1' });
    expect(JSON.parse(json.stdout).costEstimate.fixedPerMonth).toBeCloseTo(0.4, 5);
    const machine = await runCli(
      ['deploy', '--allow', 'a@example.com', '--machine-client'],
      { HOME: home },
      { deployEngine: cloud.factory() },
    );
    expect(machine.stderr).toContain('plus $0.80 a month for two secrets;');
  });
});
