/**
 * The BROWSER the live run gives the real Claude Code (`claude mcp login`): bundled by the run with
 * esbuild (see {@link bundleBrowserCommand} in claude-login.ts) and started as `node browser.mjs <url>`.
 * It signs in on the managed login page as MCP_LAMBDA_LIVE_USER / MCP_LAMBDA_LIVE_USER_PASSWORD and lets
 * the browser reach Claude Code's loopback callback; what it saw goes to MCP_LAMBDA_BROWSER_LOG.
 */
import { appendFileSync } from 'node:fs';
import { signInAndFollow } from './browser.js';

const [url] = process.argv.slice(2);
const log = (line: string) => {
  if (process.env.MCP_LAMBDA_BROWSER_LOG) appendFileSync(process.env.MCP_LAMBDA_BROWSER_LOG, `${line}\n`);
};

if (url === undefined) {
  console.error('usage: browser <url>');
  process.exitCode = 2;
} else {
  log(`open ${url.split('?')[0]}`);
  signInAndFollow(url, {
    email: process.env.MCP_LAMBDA_LIVE_USER ?? '',
    password: process.env.MCP_LAMBDA_LIVE_USER_PASSWORD ?? '',
  }).then(
    (landed) => log(`landed ${landed.split('?')[0]}`),
    (error: Error) => {
      log(`failed: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
