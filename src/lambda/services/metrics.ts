/**
 * The CloudWatch embedded metric format (EMF) block carried by each request log line.
 *
 * CloudWatch Logs turns a line with an `_aws` block into metrics as it ingests it: no API call, no SDK and
 * no extra line. Each distinct set of dimension values is a custom metric billed per month, so every
 * dimension value here comes from a closed set or from the deployment: `Server` is the deployment's
 * name, `Method` is one of the MCP methods (anything else a client sends is counted as `other`), and the
 * `Tool` dimension is opt-in (`deploy --per-tool-metrics`) and only for tool calls answered without a
 * JSON-RPC error (an unknown tool's name never becomes a metric).
 */

/** The namespace of every metric the function emits. */
export const METRICS_NAMESPACE = 'mcp-lambda';

/** The metrics on every request line, with their units. */
export const REQUEST_METRICS = [
  { Name: 'Requests', Unit: 'Count' },
  { Name: 'Errors', Unit: 'Count' },
  { Name: 'ToolErrors', Unit: 'Count' },
  { Name: 'Latency', Unit: 'Milliseconds' },
  { Name: 'ColdStart', Unit: 'Count' },
] as const;

/** The metric values a request line carries (top-level members, as EMF requires). */
export interface RequestMetrics {
  readonly Server: string;
  readonly Method: string;
  readonly Tool?: string;
  readonly Requests: 1;
  readonly Errors: 0 | 1;
  readonly ToolErrors: 0 | 1;
  readonly Latency: number;
  readonly ColdStart: 0 | 1;
}

/** The `_aws` block (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html). */
export interface EmfBlock {
  readonly Timestamp: number;
  readonly CloudWatchMetrics: readonly [
    {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: typeof REQUEST_METRICS;
    },
  ];
}

/** The methods of the MCP revisions this server speaks; any other name is `other` in the `Method` dimension. */
const KNOWN_METHODS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'subscriptions/listen',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

/** The `Method` dimension's value: the MCP method, `other` for a name outside MCP, `none` when there was none. */
export function methodDimension(method: string | undefined): string {
  if (method === undefined) return 'none';
  return KNOWN_METHODS.has(method) ? method : 'other';
}

/**
 * Builds the constant part of the block once (at cold start); each request only stamps its time.
 * `perTool` adds the `[Server, Tool]` dimension set (tool calls only).
 */
export function emfBlocks(perTool: boolean): { plain: (timestamp: number) => EmfBlock; tool: (timestamp: number) => EmfBlock } {
  const directive = (dimensions: readonly (readonly string[])[]) => ({
    Namespace: METRICS_NAMESPACE,
    Dimensions: dimensions,
    Metrics: REQUEST_METRICS,
  });
  const plain = [directive([['Server'], ['Server', 'Method']])] as const;
  const tool = perTool ? ([directive([['Server'], ['Server', 'Method'], ['Server', 'Tool']])] as const) : plain;
  return {
    plain: (timestamp) => ({ Timestamp: timestamp, CloudWatchMetrics: plain }),
    tool: (timestamp) => ({ Timestamp: timestamp, CloudWatchMetrics: tool }),
  };
}
