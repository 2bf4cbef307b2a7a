/**
 * The CloudWatch embedded metric format's rules as a schema (zod), from the EMF specification: an `_aws`
 * member with an integer `Timestamp` and `CloudWatchMetrics` directives (a namespace, dimension sets of at
 * most 30 names, at most 100 metrics with a standard unit), every dimension a top-level string member and
 * every metric a top-level number member of the same line.
 */
import { z } from 'zod';

const UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

const directive = z.strictObject({
  Namespace: z.string().min(1).max(1024),
  Dimensions: z.array(z.array(z.string().min(1).max(250)).max(30)),
  Metrics: z
    .array(z.strictObject({ Name: z.string().min(1).max(1024), Unit: z.enum(UNITS).optional() }))
    .min(1)
    .max(100),
});

const emfLine = z.looseObject({
  _aws: z.strictObject({
    Timestamp: z.number().int().nonnegative(),
    CloudWatchMetrics: z.array(directive).min(1),
  }),
});

/** The problems of one log line as an EMF record (an empty list: CloudWatch makes its metrics). */
export function emfProblems(line: unknown): string[] {
  const parsed = emfLine.safeParse(line);
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const record = line as Record<string, unknown>;
  const problems: string[] = [];
  for (const { Dimensions, Metrics } of parsed.data._aws.CloudWatchMetrics) {
    for (const name of Dimensions.flat()) {
      const value = record[name];
      if (typeof value !== 'string' || value === '' || value.length > 1024)
        problems.push(`dimension ${name} is not a string member`);
    }
    for (const { Name } of Metrics) {
      if (typeof record[Name] !== 'number' || !Number.isFinite(record[Name]))
        problems.push(`metric ${Name} is not a number member`);
    }
  }
  return problems;
}
