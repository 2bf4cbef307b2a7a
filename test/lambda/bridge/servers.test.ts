/**
 * The bridge with the reference servers from the registry (server-memory, server-everything, pinned
 * devDependencies), through real HTTP, with the v2 client (2026-07-28) and the v1 client (2025-11-25).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient } from '../../helpers/mcp-client.js';
import { createStdioApp, recordStdioManifest } from '../../../src/lambda/bridge/app.js';
import { startDevServer } from '../../../src/cli/dev/server.js';
import { connectV1, EVERYTHING, MEMORY, ROOT, type Served, serve, tempDir } from './helpers.js';
import { join } from 'node:path';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});
const track = <T extends { close(): Promise<void> }>(item: T): T => {
  open.push(item);
  return item;
};

describe('server-memory through the bridge', () => {
  it('keeps its state across requests and clients of both eras, with one child', async () => {
    const served: Served = track(await serve(MEMORY));
    const modern = track(await connectClient(served.url, '2026-07-28'));
    const names = (await modern.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['create_entities', 'read_graph']));
    const created = await modern.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'Rex', entityType: 'dog', observations: ['likes naps'] }] },
    });
    expect(created.isError).not.toBe(true);

    const legacy = track(await connectV1(served.url));
    const graph = await legacy.callTool({ name: 'read_graph', arguments: {} });
    expect(JSON.stringify(graph.content)).toContain('likes naps');
    expect(served.app.childStarts).toBe(1);
    // The first request that needed the child says so; later ones do not.
    const started = served.requests.filter((record) => record.child !== undefined);
    expect(started.map((record) => record.child)).toEqual(['started']);
    expect(served.children.filter((record) => record.event === 'start')).toHaveLength(1);
  });

  it('records the answers the child gives, and a cold app answers connect from them without a child', async () => {
    const env = { PATH: process.env.PATH, MEMORY_FILE_PATH: join(tempDir(), 'memory.jsonl') };
    const recorded = await recordStdioManifest(MEMORY, { baseDir: ROOT, env });
    expect('skipped' in recorded.manifest).toBe(false);
    expect(recorded.tools).toEqual(expect.arrayContaining(['create_entities', 'read_graph', 'search_nodes']));

    // What a live child lists is what was recorded.
    const live = track(await serve(MEMORY));
    const liveTools = (await track(await connectClient(live.url, '2026-07-28')).listTools()).tools;
    expect(liveTools.map((tool) => tool.name)).toEqual(recorded.tools);

    if ('skipped' in recorded.manifest) return;
    const app = createStdioApp(MEMORY, { baseDir: ROOT, env, manifest: recorded.manifest, log: () => {}, childLog: () => {} });
    const dev = await startDevServer({ handler: app.handler, host: '127.0.0.1', port: 0 });
    track({ close: async () => (await dev.close(), await app.stop()) });
    const modern = track(await connectClient(dev.url, '2026-07-28'));
    expect((await modern.listTools()).tools).toEqual(liveTools);
    const legacy = track(await connectV1(dev.url));
    expect((await legacy.listTools()).tools.map((tool) => tool.name)).toEqual(recorded.tools);
    expect(app.childStarts).toBe(0);
    // The first tool call starts it.
    await modern.callTool({ name: 'read_graph', arguments: {} });
    expect(app.childStarts).toBe(1);
  });
});

describe('server-everything through the bridge', () => {
  it('passes progress to the client, lists fixed, hides what needs a client capability', async () => {
    const served = track(await serve(EVERYTHING));
    for (const connect of [() => connectClient(served.url, '2026-07-28'), () => connectClient(served.url, '2025-11-25')]) {
      const client = track(await connect());
      const capabilities = client.getServerCapabilities();
      expect(capabilities?.tools?.listChanged).toBe(false);
      expect(capabilities?.resources?.subscribe).not.toBe(true);
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('trigger-long-running-operation');
      // It registers its sampling and elicitation tools only for a client that can answer them; ours cannot.
      expect(names).not.toContain('trigger-sampling-request');
      const progress: number[] = [];
      const result = await client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
        { onprogress: (update) => progress.push(update.progress) },
      );
      expect(JSON.stringify(result.content)).toContain('Long running operation completed');
      expect(progress).toEqual([1, 2]);
    }
    expect(served.app.childStarts).toBe(1);
  });

  it('forwards resources, prompts and a v1 client’s calls', async () => {
    const served = track(await serve(EVERYTHING));
    const client = track(await connectV1(served.url));
    const resources = await client.listResources();
    expect(resources.resources.length).toBeGreaterThan(0);
    const first = resources.resources[0];
    if (first === undefined) throw new Error('no resource');
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);
    const prompts = await client.listPrompts();
    expect(prompts.prompts.map((prompt) => prompt.name)).toContain('simple-prompt');
    const prompt = await client.getPrompt({ name: 'simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(JSON.stringify(echoed.content)).toContain('hello');
  });
});
