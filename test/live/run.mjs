#!/usr/bin/env node
// `npm run test:aws`: the live suite (test/live/aws.live.ts). Without MCP_LAMBDA_LIVE=1 it says what a run
// needs and costs, and exits 0 at once; with it, it builds the CLI and runs the suite with vitest.
// `--keep` leaves the stacks deployed (MCP_LAMBDA_LIVE_KEEP=1).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const plan = JSON.parse(readFileSync(join(import.meta.dirname, 'plan.json'), 'utf8'));
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const unknown = args.filter((arg) => arg !== '--keep');

if (unknown.length > 0) {
  console.error(`test:aws takes only --keep, not ${unknown.join(' ')}`);
  process.exit(2);
}
if (process.env.MCP_LAMBDA_LIVE !== '1') {
  console.log(`The live suite deploys to a real AWS account and is off. To run it: ${plan.command}${' '}[-- --keep]

It needs:
${plan.needs.map((need) => `  - ${need}`).join('\n')}

Cost: ${plan.cost}.
Duration: ${plan.duration}.`);
  process.exit(0);
}

console.log(`Live run. Cost: ${plan.cost}.\nDuration: ${plan.duration}.`);
const env = { ...process.env, ...(keep && { MCP_LAMBDA_LIVE_KEEP: '1' }) };
const step = (command, commandArgs) => spawnSync(command, commandArgs, { stdio: 'inherit', env }).status ?? 1;
const built = step('npm', ['run', 'build']);
if (built !== 0) process.exit(built);
process.exit(step(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.live.config.ts']));
