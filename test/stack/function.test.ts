/**
 * What each MCP function gets, and what one caller can hold: the slow demo only when asked for, the
 * reservation (and the choice recorded for later deploys), and — with several servers — each server's own
 * settings and secrets, which no other server's function gets or may read.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BuildAppOptions, buildApp } from '../../src/stack/app.js';
import { OUTPUTS } from '../../src/stack/index.js';
import { StackPropsError } from '../../src/stack/names.js';
import { resolveStackOptions } from '../../src/stack/props.js';
import { FAKE, render } from '../helpers/render.js';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synth(props: Omit<BuildAppOptions, 'outdir'> = {}) {
  const { app, stack } = buildApp({ ...props, outdir: mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-')) });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Resources; Outputs: Record<string, any> };
  /** The MCP functions by server name (one server: its deployment name). */
  const functions = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'))
      .map(([, r]) => [/^MCP server (\S+)/.exec(r.Properties.Description)?.[1] ?? '', r.Properties]),
  );
  /** Every resource the function's role may read secrets and parameters from. */
  const reads = (fn: Record<string, any>) => {
    const roleId = fn.Role['Fn::GetAtt'][0];
    return Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((statement: any) => ['secretsmanager:GetSecretValue', 'ssm:GetParameter'].includes(statement.Action))
      .flatMap((statement: any) => [statement.Resource].flat().map((resource: unknown) => render(resource)))
      .sort();
  };
  return { template, functions, reads };
}

const secretArn = (name: string) => `arn:aws:secretsmanager:${FAKE.region}:<AWS::AccountId>:secret:${name}-??????`;
const parameterArn = (path: string) => `arn:aws:ssm:${FAKE.region}:<AWS::AccountId>:parameter${path}`;

describe('the slow demo (deploy --slow-demo)', () => {
  it('is not deployed by default: no MCP_SLOW_DEMO, no SlowDemo output', () => {
    const { template, functions } = synth();
    expect(functions['dog-facts']?.Environment.Variables.MCP_SLOW_DEMO).toBeUndefined();
    expect(template.Outputs[OUTPUTS.slowDemo]).toBeUndefined();
  });

  it('is deployed when asked for, and recorded for later deploys', () => {
    const { template, functions } = synth({ slowDemo: true });
    expect(functions['dog-facts']?.Environment.Variables.MCP_SLOW_DEMO).toBe('1');
    expect(template.Outputs[OUTPUTS.slowDemo].Value).toBe('on');
  });

  it('is for the built-in server only', () => {
    expect(() => resolveStackOptions({ slowDemo: true, lambdaBundleDir: '/tmp/x' })).toThrow(StackPropsError);
    expect(() => resolveStackOptions({ slowDemo: true, servers: [{ name: 'a' }, { name: 'b' }] })).toThrow(
      /slow demo true is not valid: it is a tool of the built-in dog-facts server/,
    );
  });
});

describe('the request log and its metrics', () => {
  it("names each function's server for its log line and metrics, and adds per-tool metrics only when asked", () => {
    const { template, functions } = synth({ serverName: 'facts' });
    expect(functions.facts?.Environment.Variables.MCP_SERVER_LABEL).toBe('facts');
    expect(functions.facts?.Environment.Variables.MCP_PER_TOOL_METRICS).toBeUndefined();
    expect(template.Outputs[OUTPUTS.perToolMetrics]).toBeUndefined();

    const several = synth({ servers: [{ name: 'notes' }, { name: 'mail' }], perToolMetrics: true });
    expect(several.functions.notes?.Environment.Variables).toMatchObject({
      MCP_SERVER_LABEL: 'notes',
      MCP_PER_TOOL_METRICS: 'true',
    });
    expect(several.functions.mail?.Environment.Variables.MCP_SERVER_LABEL).toBe('mail');
    expect(several.template.Outputs[OUTPUTS.perToolMetrics].Value).toBe('on');
  });
});

describe('reserved concurrency', () => {
  it('reserves nothing and records nothing by default', () => {
    const { template, functions } = synth();
    expect(functions['dog-facts']?.ReservedConcurrentExecutions).toBeUndefined();
    expect(template.Outputs[OUTPUTS.reservedConcurrency]).toBeUndefined();
  });

  it('reserves for each function, and records it', () => {
    const { template, functions } = synth({
      serverName: 'team',
      servers: [{ name: 'notes' }, { name: 'weather' }],
      reservedConcurrency: 30,
    });
    expect(Object.values(functions).map((fn) => fn.ReservedConcurrentExecutions)).toEqual([30, 30]);
    expect(template.Outputs[OUTPUTS.reservedConcurrency].Value).toBe('30');
  });

  it('records "none" without reserving, so a later deploy does not propose one again', () => {
    const { template, functions } = synth({ reservedConcurrency: 'none' });
    expect(functions['dog-facts']?.ReservedConcurrentExecutions).toBeUndefined();
    expect(template.Outputs[OUTPUTS.reservedConcurrency].Value).toBe('none');
  });
});

describe('several servers: what each gets', () => {
  const team = () =>
    synth({
      serverName: 'team',
      environment: { REGION_NAME: 'eu' },
      secrets: { SHARED_KEY: 'team/shared' },
      servers: [
        { name: 'notes', environment: { NOTES_DB: 'notes.example' }, secrets: { NOTES_TOKEN: '/notes/token' } },
        { name: 'weather', secrets: { WEATHER_API_KEY: 'weather/api-key' } },
        { name: 'plain' },
      ],
    });

  it("lets each server's role read its own secrets and the shared ones, and no other server's", () => {
    const { functions, reads } = team();
    expect(reads(functions.notes!)).toEqual([secretArn('team/shared'), parameterArn('/notes/token')]);
    expect(reads(functions.weather!)).toEqual([secretArn('team/shared'), secretArn('weather/api-key')]);
    expect(reads(functions.plain!)).toEqual([secretArn('team/shared')]);
  });

  it('gives each function its own settings and secret references, and the shared ones', () => {
    const { functions } = team();
    const vars = (name: string) => functions[name]!.Environment.Variables as Record<string, string>;
    const secretKeys = (name: string) => (JSON.parse(vars(name).MCP_SECRETS ?? '[]') as { key: string }[]).map((s) => s.key);
    expect(vars('notes')).toMatchObject({ REGION_NAME: 'eu', NOTES_DB: 'notes.example' });
    expect(secretKeys('notes')).toEqual(['SHARED_KEY', 'NOTES_TOKEN']);
    expect(vars('weather').NOTES_DB).toBeUndefined();
    expect(secretKeys('weather')).toEqual(['SHARED_KEY', 'WEATHER_API_KEY']);
    expect(vars('plain')).toMatchObject({ REGION_NAME: 'eu' });
    expect(secretKeys('plain')).toEqual(['SHARED_KEY']);
  });

  it('records them as the CLI takes them, <server>:KEY for one server (a later deploy keeps the scoping)', () => {
    const { template } = team();
    expect(JSON.parse(template.Outputs[OUTPUTS.serverSettings].Value)).toEqual({
      env: { REGION_NAME: 'eu', 'notes:NOTES_DB': 'notes.example' },
      secrets: { SHARED_KEY: 'team/shared', 'notes:NOTES_TOKEN': '/notes/token', 'weather:WEATHER_API_KEY': 'weather/api-key' },
    });
  });

  it('refuses a name given for every server and for one, and a server whose settings are too big', () => {
    const servers = (own: Record<string, string>) => [{ name: 'notes', environment: own }, { name: 'weather' }];
    expect(() => resolveStackOptions({ environment: { A: '1' }, servers: servers({ A: '2' }) })).toThrow(
      /setting "notes:A" is not valid: A is also given for every server/,
    );
    expect(() =>
      resolveStackOptions({ secrets: { A: 'x/y' }, servers: [{ name: 'notes', secrets: { A: 'p/q' } }, { name: 'weather' }] }),
    ).toThrow(/setting "notes:A" is not valid/);
    // 2 KB shared + 2 KB for one server: each alone fits, together they do not.
    expect(() =>
      resolveStackOptions({ environment: { A: 'x'.repeat(2000) }, servers: servers({ B: 'y'.repeat(2000) }) }),
    ).toThrow(/keep settings under 3072 bytes/);
    expect(() => resolveStackOptions({ servers: servers({ 'BAD-NAME': '1' }) })).toThrow(/setting "BAD-NAME" is not valid/);
  });
});
