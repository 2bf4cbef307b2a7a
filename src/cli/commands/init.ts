/** `mcp-lambda init [dir]`: scaffold a project for your own MCP server. */
import { checkPathFlag } from '../options/values.js';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import { UsageError, UserError } from '../terminal/errors.js';

export interface InitOptions {
  readonly dir?: string;
}

function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(name) ? name.slice(0, 40) : `mcp-${name}`.slice(0, 40);
}

export function scaffold(name: string): Record<string, string> {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: 'npx mcp-lambda dev --entry ./server.ts',
      test: 'vitest run',
      synth: `npx mcp-lambda synth --entry ./server.ts --name ${name}`,
      deploy: `npx mcp-lambda deploy --entry ./server.ts --name ${name}`,
    },
    dependencies: { '@modelcontextprotocol/server': '^2.4.0', zod: '^4.2.0' },
    devDependencies: {
      '@modelcontextprotocol/client': '^2.4.0',
      '@types/node': '^20',
      typescript: '~5.9',
      vitest: '~4.1',
    },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'server.ts': `import { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

/** What mcp-lambda passes to the factory on each request. */
export interface ServerContext {
  readonly era: 'legacy' | 'modern';
  /** The caller's OAuth token (client id, scopes, subject), when deployed behind Cognito. */
  readonly authInfo?: { readonly clientId: string; readonly scopes: string[]; readonly extra?: Record<string, unknown> };
  readonly requestId?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** mcp-lambda builds a fresh server for every request from this default export. */
export default function createServer(ctx: ServerContext): McpServer {
  const server = new McpServer({ name: '${name}', version: '0.1.0' });

  server.registerTool(
    'greet',
    {
      description: 'Greets someone by name',
      inputSchema: z.object({ name: z.string().min(1).describe('Who to greet') }),
    },
    async ({ name }) => {
      const who = ctx.authInfo?.extra?.username ?? 'someone';
      return { content: [{ type: 'text', text: \`Hello, \${name}! (asked by \${who})\` }] };
    },
  );

  return server;
}
`,
    'server.test.ts': `import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { expect, it } from 'vitest';
import createServer from './server.js';

it('greets', async () => {
  const server = createServer({ era: 'legacy', env: {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  const result = await client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
  expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada! (asked by someone)' }]);
  await client.close();
});
`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
        },
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\ncdk.out/\n',
    'README.md': `# ${name}

An MCP server for AWS Lambda, deployed behind OAuth with [mcp-lambda](https://www.npmjs.com/package/mcp-lambda).

\`\`\`
npm install          # dependencies
npm run dev          # serve it on http://127.0.0.1:8765/mcp, rebuilt on every change
npm test             # the tool's test
npm run deploy       # bundle it and deploy it to your AWS account (scope mcp-${name}/${name})
npx mcp-lambda login --name ${name}
npx mcp-lambda write-config --name ${name}
\`\`\`

\`server.ts\` exports a function that returns an \`McpServer\`; mcp-lambda calls it for every request with
the caller's OAuth details (\`authInfo\`), the request id and the environment. Tools, resources and
prompts all work. Dependencies in \`package.json\` are bundled into the Lambda.
`,
  };
}

export async function init(ctx: CommandContext, options: InitOptions): Promise<void> {
  if (options.dir !== undefined) checkPathFlag('init', options.dir, 'my-tools');
  const dir = resolve(ctx.cwd, options.dir ?? '.');
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    if (error.code === 'ENOTDIR') throw new UsageError(`${dir} is a file, not a directory.`);
    throw error;
  });
  if (existing.length > 0) {
    throw new UserError(
      `${dir} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}); init only writes into an empty or new directory.`,
      {
        hint: 'mcp-lambda init my-server',
      },
    );
  }
  const name = packageName(dir);
  const files = scaffold(name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text, { flag: 'wx' });
  if (ctx.global.json) {
    ctx.out.json({ dir, name, files: Object.keys(files) });
    return;
  }
  const where = relative(ctx.cwd, dir) || '.';
  ctx.out.result(`${ctx.out.style.green('✓')} Created ${name} in ${dir}: ${Object.keys(files).join(', ')}`);
  ctx.out.info('');
  ctx.out.info('Next:');
  if (where !== '.') ctx.out.info(`  cd ${where.startsWith('..') ? dir : where}`);
  ctx.out.info('  npm install');
  ctx.out.info('  npm run dev        # try it locally');
  ctx.out.info('  npm run deploy     # put it on Lambda behind OAuth');
}
