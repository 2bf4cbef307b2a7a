/**
 * Alarms (`alarms`): none by default; asked for, an SNS topic mailing the address (SSL only) and four
 * standard-resolution alarms (the function's Errors and Throttles, the stage's 5XXError, its p95 latency
 * over the threshold) that tell the topic when they fire and recover, named after the stack; two more per
 * further server. The outputs a later deploy and `status` read, cdk-nag, and the checks on the settings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  alarmNames,
  alarmsOutputValue,
  checkAlarmSettings,
  DEFAULT_LATENCY_ALARM_MS,
  readAlarmsOutput,
} from '../../src/stack/alarm-settings.js';
import { type BuildAppOptions, buildApp } from '../../src/stack/app.js';
import { McpAlarms, OUTPUTS } from '../../src/stack/index.js';
import { StackPropsError } from '../../src/stack/names.js';
import { resolveStackOptions } from '../../src/stack/props.js';
import { render } from '../helpers/render.js';

const outdir = () => mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-'));

function synth(props: Omit<BuildAppOptions, 'outdir'> = {}) {
  const { stack } = buildApp({ ...props, outdir: outdir() });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as { Resources: Record<string, any>; Outputs: Record<string, any> } };
}

const ALARMS = { email: 'ops@example.com', latencyMs: 3000 };
const STACK = 'mcp-lambda-dog-facts';

describe('alarms in the template', () => {
  it('has no topic, no alarm and no alarm output by default', () => {
    const { template, json } = synth();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(Object.keys(json.Outputs)).not.toContain(OUTPUTS.alarms);
  });

  const { template, json } = synth({ alarms: ALARMS });
  const topicId = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')![0];
  const serverFunction = Object.entries(json.Resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'),
  )![0];

  it('mails the address from a topic that takes SSL only', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("alarms on the function's errors and throttles, the API's 5XX and p95 latency, named after the stack", () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    const actions = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };
    for (const [name, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${STACK}-${name}`,
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: serverFunction } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...actions,
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${STACK}-api-5xx`,
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: Match.arrayWith([
        Match.objectLike({ Name: 'ApiName', Value: `${STACK}-api` }),
        Match.objectLike({ Name: 'Stage' }),
      ]),
      Statistic: 'Sum',
      Threshold: 1,
      ...actions,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${STACK}-latency-p95`,
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p95',
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: 3000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluateLowSampleCountPercentile: 'ignore',
      ...actions,
    });
  });

  it('is a construct of its own, exported for CDK apps', () => {
    const { stack } = synth({ alarms: ALARMS });
    expect(stack.alarms).toBeInstanceOf(McpAlarms);
    expect(stack.alarms?.names).toEqual(alarmNames(STACK, undefined));
  });

  it('records the settings, the topic and the alarm names in outputs', () => {
    expect(JSON.parse(json.Outputs[OUTPUTS.alarms].Value)).toEqual(ALARMS);
    expect(json.Outputs[OUTPUTS.alarmTopic].Value).toEqual({ Ref: topicId });
    expect(render(json.Outputs[OUTPUTS.alarmNames].Value).split(',')).toEqual(alarmNames(STACK, undefined));
  });

  it('alarms on every function of several servers', () => {
    const several = synth({ serverName: 'team', servers: [{ name: 'notes' }, { name: 'mail' }], alarms: { email: 'a@b.io' } });
    several.template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    const names = Object.values(several.json.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties.AlarmName)
      .sort();
    expect(names).toEqual(alarmNames('mcp-lambda-team', ['notes', 'mail']).sort());
    expect(names).toContain('mcp-lambda-team-notes-throttles');
    several.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'mcp-lambda-team-latency-p95',
      Threshold: DEFAULT_LATENCY_ALARM_MS,
    });
  });

  it('passes cdk-nag, with the unencrypted topic acknowledged for a reason', () => {
    const { app, stack } = buildApp({ alarms: ALARMS, outdir: outdir() });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
      )
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    const sns2 = acknowledged.filter(([id]) => id === 'AwsSolutions::AwsSolutions-SNS2');
    expect(sns2).toHaveLength(1);
    expect(sns2[0]![1].length).toBeGreaterThan(60);
  });
});

describe('alarm settings', () => {
  it.each([
    [{ email: 'not-an-address' }, 'alarm email "not-an-address" is not valid: use an email address such as ops@example.com.'],
    [{ email: 'a b@example.com' }, 'alarm email "a b@example.com" is not valid'],
    [{ email: 'ops@localhost' }, 'alarm email "ops@localhost" is not valid'],
    [
      { email: 'ops@example.com', latencyMs: 99 },
      'latency alarm 99 is not valid: use a whole number of milliseconds from 100 to 900000.',
    ],
    [{ email: 'ops@example.com', latencyMs: 1.5 }, 'latency alarm 1.5 is not valid'],
    [{ email: 'ops@example.com', latencyMs: 900_001 }, 'latency alarm 900001 is not valid'],
  ])('refuses %j', (alarms, message) => {
    expect(() => resolveStackOptions({ alarms })).toThrow(StackPropsError);
    expect(() => resolveStackOptions({ alarms })).toThrow(message);
  });

  it('trims the address and fills in the default threshold', () => {
    expect(checkAlarmSettings({ email: ' ops@example.com ' })).toEqual({ email: 'ops@example.com', latencyMs: 5000 });
  });

  it('reads back only the outputs it writes', () => {
    const value = alarmsOutputValue({ email: 'ops@example.com', latencyMs: 800 });
    expect(readAlarmsOutput(value)).toEqual({ email: 'ops@example.com', latencyMs: 800 });
    for (const bad of [undefined, '', 'on', '{"email":"x"}', '{"email":"ops@example.com","latencyMs":"5000"}', '[]']) {
      expect(readAlarmsOutput(bad)).toBeUndefined();
    }
  });
});
