#!/usr/bin/env node
// The README's command samples, from real runs of the built CLI (run `npm run build` first). A sample is a
// fenced block between `<!-- sample -->` and `<!-- /sample -->` whose first line is `$ npx mcp-lambda …`;
// the rest is what that command prints (stdout and stderr as a terminal shows them). Commands run with no
// AWS settings and a fresh HOME; `tools`/`call --url http://127.0.0.1:8765/mcp` go to a `dev` this script
// starts on a free port (its URL is written as 8765's). Sizes (KiB) are compared as "<n> KiB", so the
// check does not fail on every change to the Lambda's code; `--write` puts the measured ones in.
//
//   node scripts/readme-samples.mjs           check: exit 1 and a diff when the README differs
//   node scripts/readme-samples.mjs --write   rewrite the samples from the runs
//   … --readme FILE                           another file than README.md (the script's own test)
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'shell-quote';

const root = join(import.meta.dirname, '..');
const readmeAt = process.argv.indexOf('--readme');
const readmePath = readmeAt > 0 ? process.argv[readmeAt + 1] : join(root, 'README.md');
const bin = join(root, 'bin', 'mcp-lambda');
const DEV_URL = 'http://127.0.0.1:8765/mcp';
// (Prettier puts a blank line between a comment and a fence.)
const SAMPLE = /(<!-- sample -->\n\n?```\n)(\$ npx mcp-lambda [^\n]*)\n([\s\S]*?)(```\n\n?<!-- \/sample -->)/g;

const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-readme-'));
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_|CLAUDE_|MCP_|npm_|FORCE_COLOR)/.test(key)),
);
Object.assign(env, {
  HOME: home,
  CI: 'true',
  NO_COLOR: '1',
  AWS_CONFIG_FILE: join(home, 'none'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
});

/** Runs the CLI; stdout and stderr into one file, in the order written. */
function runCli(args) {
  const file = join(home, 'output.txt');
  const fd = openSync(file, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: home, env, stdio: ['ignore', fd, fd] });
    child.on('error', reject);
    child.on('exit', () => {
      closeSync(fd);
      resolve(readFileSync(file, 'utf8'));
    });
  });
}

/** A `dev` on a free port, for the samples that name 8765's URL. */
async function startDev() {
  const child = spawn(bin, ['dev', '--port', '0', '--json'], { cwd: home, env, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('}\n')) resolve(JSON.parse(stdout.slice(0, stdout.indexOf('}\n') + 1)).url);
    });
    child.on('exit', () => reject(new Error('dev exited before it listened')));
  });
  return { url, stop: () => child.kill('SIGINT') };
}

const normalize = (text) => text.replace(/\d+(\.\d+)? KiB/g, '<n> KiB');

const readme = readFileSync(readmePath, 'utf8');
const samples = [...readme.matchAll(SAMPLE)];
if (samples.length === 0) {
  console.error('No <!-- sample --> blocks in README.md.');
  process.exit(1);
}
const dev = readme.includes(`--url ${DEV_URL}`) ? await startDev() : undefined;
const fresh = new Map();
try {
  for (const [, , command] of samples) {
    const args = parse(command.slice('$ npx mcp-lambda '.length).replaceAll(DEV_URL, dev?.url ?? DEV_URL));
    let output = await runCli(args);
    if (dev) output = output.replaceAll(dev.url, DEV_URL);
    fresh.set(command, output.replace(/[ \t]+$/gm, ''));
  }
} finally {
  dev?.stop();
}

const updated = readme.replace(SAMPLE, (_, open, command, _old, close) => `${open}${command}\n${fresh.get(command)}${close}`);
rmSync(home, { recursive: true, force: true });
if (process.argv.includes('--write')) {
  writeFileSync(readmePath, updated);
  console.log(`Wrote ${samples.length} samples into README.md.`);
} else {
  let drift = 0;
  for (const [, , command, old] of samples) {
    if (normalize(old) === normalize(fresh.get(command))) continue;
    drift++;
    console.error(`README.md's sample "${command}" differs from what the command prints now:`);
    console.error(`--- README.md\n${old}+++ the command\n${fresh.get(command)}`);
  }
  if (drift > 0) {
    console.error(
      `${drift} of ${samples.length} samples drifted: run node scripts/readme-samples.mjs --write (after npm run build).`,
    );
    process.exit(1);
  }
  console.log(`${samples.length} README samples match the CLI.`);
}
