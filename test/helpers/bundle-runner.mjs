// Runs a synthesized Lambda bundle's handler in a process of its own, as the Lambda runtime would: the
// function's environment, its code from index.mjs, one event at a time over IPC (test/helpers/bundle-process.ts).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(join(process.env.MCP_LAMBDA_TEST_BUNDLE_DIR ?? '', 'index.mjs')).href);
process.on('message', async ({ id, event }) => {
  try {
    const result = await handler(event, { awsRequestId: `req-${id}`, getRemainingTimeInMillis: () => 30_000 });
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
