/**
 * What a deployment costs, roughly: per million requests (API Gateway REST + Lambda) and per month (its
 * Secrets Manager secrets, its CloudWatch alarms with `--alarms`, and Cognito's monthly active users past
 * the free tier). From AWS's public
 * list prices for us-east-1 as published when this was written (PRICES_AS_OF); other regions and later
 * price changes differ, which `deploy` says with the figure. CloudWatch Logs and data transfer are left
 * out (small at this size, and they depend on how much a server logs and returns).
 */
export const PRICES_AS_OF = '2025-10';

export const PRICES = {
  /** API Gateway REST API requests, per million (first 333 million a month). */
  apiGatewayPerMillion: 3.5,
  /** Lambda requests, per million. */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda compute on ARM64 (Graviton), per GB-second. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** Secrets Manager, per secret per month. */
  secretPerMonth: 0.4,
  /** Cognito Essentials, per monthly active user past the free 10,000. */
  cognitoEssentialsPerMau: 0.015,
  cognitoFreeMau: 10_000,
  /** CloudWatch, per standard-resolution metric alarm per month (a p95 alarm on a standard metric is one). */
  alarmPerMonth: 0.1,
} as const;

export interface CostEstimate {
  readonly perMillionRequests: number;
  readonly lambdaPerMillion: number;
  readonly fixedPerMonth: number;
}

/**
 * @param memoryMb the function's memory
 * @param averageMs the average billed duration of a request (a tools/call that waits on an API is most of it)
 * @param secrets the stack's secrets (a requestState key per server, the machine client's if it has one; --secret ones are the user's own)
 * @param alarms the stack's CloudWatch alarms (`--alarms`; SNS mails the first 1,000 a month free)
 */
export function estimateCost(memoryMb: number, averageMs: number, secrets = 1, alarms = 0): CostEstimate {
  const gbSeconds = 1_000_000 * (averageMs / 1000) * (memoryMb / 1024);
  const lambdaPerMillion = gbSeconds * PRICES.lambdaArmPerGbSecond + PRICES.lambdaRequestsPerMillion;
  return {
    perMillionRequests: PRICES.apiGatewayPerMillion + lambdaPerMillion,
    lambdaPerMillion,
    fixedPerMonth: secrets * PRICES.secretPerMonth + alarms * PRICES.alarmPerMonth,
  };
}

/**
 * The line `deploy` prints.
 * @param secrets the stack's secrets: a requestState key per server, and the machine client's (`--machine-client`)
 * @param alarms the stack's CloudWatch alarms (`--alarms`)
 */
export function describeCost(memoryMb: number, averageMs = 100, secrets = 1, alarms = 0): string {
  const cost = estimateCost(memoryMb, averageMs, secrets, alarms);
  const dollars = (value: number) => `$${value.toFixed(2)}`;
  return (
    `Cost, roughly: ${dollars(cost.perMillionRequests)} per million requests (API Gateway ${dollars(PRICES.apiGatewayPerMillion)}, ` +
    `Lambda ${dollars(cost.lambdaPerMillion)} at ${memoryMb} MB and ${averageMs} ms each), plus ${dollars(cost.fixedPerMonth)} a month ` +
    `for ${(['one secret', 'two secrets'] as const)[secrets - 1] ?? `${secrets} secrets`}` +
    (alarms > 0 ? ` and ${alarms} alarms ($${PRICES.alarmPerMonth.toFixed(2)} each)` : '') +
    `; Cognito is free up to ${PRICES.cognitoFreeMau.toLocaleString('en-US')} monthly users, then $${PRICES.cognitoEssentialsPerMau.toFixed(3)} each. ` +
    `(us-east-1 list prices of ${PRICES_AS_OF}; check your region's.)`
  );
}

/** What one minute of a running function costs (a long tool's wait is billed like work). */
export function lambdaCostPerMinute(memoryMb: number): number {
  return 60 * (memoryMb / 1024) * PRICES.lambdaArmPerGbSecond;
}
