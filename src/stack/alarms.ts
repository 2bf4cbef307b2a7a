/**
 * The alarms `deploy --alarms <email>` adds: an SNS topic that mails the address (after it accepts AWS's
 * confirmation mail), and standard-resolution CloudWatch alarms on each MCP function's Errors and
 * Throttles, the stage's 5XXError and its p95 latency over a threshold. Each tells the topic when it fires
 * and when it recovers. Checked settings and names are ./alarm-settings.ts.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { type AlarmSettings, alarmNames } from './alarm-settings.js';
import { pascalCase } from './names.js';

export interface McpAlarmsProps {
  readonly settings: Required<AlarmSettings>;
  /** Each server's function: one (`name` undefined) at /mcp, or one per server. */
  readonly functions: ReadonlyArray<{ readonly name?: string; readonly function: lambda.IFunction }>;
  readonly stage: apigateway.Stage;
}

/** Five minutes: CloudWatch's standard resolution, and quick enough to hear of an outage. */
const PERIOD = Duration.minutes(5);

export class McpAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: readonly cloudwatch.Alarm[];
  /** Their names, in {@link alarmNames}' order. */
  readonly names: readonly string[];

  constructor(scope: Construct, id: string, props: McpAlarmsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.topic = new sns.Topic(this, 'Topic', { displayName: `${stackName} alarms`, enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.settings.email));
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a key of its own would cost more than the alarms; the messages name an alarm and a metric, nothing secret.',
    });
    const several = props.functions.some((fn) => fn.name !== undefined);
    const names = (this.names = alarmNames(stackName, several ? props.functions.map((fn) => fn.name ?? '') : undefined));
    const action = new SnsAction(this.topic);
    let next = 0;
    const alarm = (
      idPart: string,
      metric: cloudwatch.IMetric,
      description: string,
      options: Partial<cloudwatch.AlarmProps> = {},
    ) => {
      const made = new cloudwatch.Alarm(this, idPart, {
        alarmName: names[next++] as string,
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      made.addAlarmAction(action);
      made.addOkAction(action);
      return made;
    };
    const alarms: cloudwatch.Alarm[] = [];
    for (const { name, function: fn } of props.functions) {
      const label = name === undefined ? 'the MCP function' : `the ${name} MCP function`;
      const key = name === undefined ? '' : pascalCase(name);
      alarms.push(
        alarm(
          `${key}Errors`,
          fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          `${label} failed (Lambda Errors) in 5 minutes`,
        ),
        alarm(
          `${key}Throttles`,
          fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
          `Requests to ${label} were throttled (Lambda Throttles) in 5 minutes`,
        ),
      );
    }
    alarms.push(
      alarm(
        'Api5xx',
        props.stage.metricServerError({ period: PERIOD, statistic: 'Sum' }),
        'The API answered 5XX (API Gateway 5XXError) in 5 minutes',
      ),
      alarm(
        'LatencyP95',
        props.stage.metricLatency({ period: PERIOD, statistic: 'p95' }),
        `The API's p95 latency was over ${props.settings.latencyMs} ms for 10 minutes`,
        {
          threshold: props.settings.latencyMs,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluateLowSampleCountPercentile: 'ignore',
        },
      ),
    );
    this.alarms = alarms;
  }
}
