/** The loopback port Claude Code's OAuth callback listens on: is it free on this machine? */
import { createServer } from 'node:net';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function checkCallbackPort(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  // The loopback port the client listens on for its callback (none for https or app-scheme callbacks).
  const loopback = target.client
    ? target.client.redirectUris.map((uri) => /^http:\/\/localhost:(\d+)\//.exec(uri)?.[1]).find(Boolean)
    : undefined;
  const port = target.client ? (loopback === undefined ? undefined : Number(loopback)) : target.expected?.callbackPort;
  if (port === undefined || !walk.oauth) return result('callback-port', 'skip', 'no OAuth callback to receive.');
  if (await (deps.portFree ?? bindable)(port)) return result('callback-port', 'ok', `${port} is free on this machine`);
  return result(
    'callback-port',
    'fail',
    `port ${port} is in use on this machine: Claude Code could not receive the sign-in there.`,
    `Stop what listens on ${port} (lsof -i :${port}), or redeploy with another port: ${target.command(`deploy --callback-port ${port === 65535 ? 31928 : port + 1}`)}, then ${target.command('write-config --yes')}`,
  );
}
