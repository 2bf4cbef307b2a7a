/**
 * `mcp-lambda init [dir]`: scaffold a project for your own MCP server. The project depends on mcp-lambda
 * itself (the published version, or a tarball of this clone in its vendor/ when the CLI runs from one), so its scripts run that copy
 * and never fetch a package by name; and it is made outside any existing package unless asked, so it does
 * not become part of another project's lint and tests.
 */
import { checkPathFlag } from '../options/values.js';
import { existsSync, realpathSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { quote } from 'shell-quote';
import { packageRoot } from '../../package-root.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import { UsageError, UserError } from '../terminal/errors.js';
import { CONFIG_FILE_NAMES } from '../config/read.js';
import { SCHEMA_REFERENCE } from '../config/schema.js';

export interface InitOptions {
  readonly dir?: string;
  /** Scaffold even inside another package (a monorepo's workspace, say). */
  readonly insidePackage?: boolean;
}

/** This package's root, symlinks resolved. */
export function cliPackageRoot(): string {
  return realpathSync(packageRoot());
}

/**
 * How the new project depends on mcp-lambda: `file:<clone>` when this CLI runs from a clone (its real path
 * is not inside a node_modules folder — `npm link` and `npm install -g <clone>` are symlinks to it), else
 * the version that is running, from the registry.
 */
export function cliDependency(root = cliPackageRoot()): string {
  return root.split(sep).includes('node_modules') ? `^${VERSION}` : `file:${root}`;
}

/**
 * The nearest directory at or above `dir` that holds a package.json, if any — leaving out the home
 * directory and the file-system root, where a stray package.json is common and makes no project.
 */
function enclosingPackage(dir: string, home: string | undefined): string | undefined {
  for (let current = dir; dirname(current) !== current; current = dirname(current)) {
    if (current === home) return undefined;
    if (existsSync(join(current, 'package.json'))) return current;
  }
  return undefined;
}

function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(name) ? name.slice(0, 40) : `mcp-${name}`.slice(0, 40);
}

/** The scaffold's mcp-lambda.jsonc: its server by name, and the sign-up policy to fill in before the first deploy. */
function deploymentFile(name: string): string {
  return `// The deployment of ${name}: every setting of \`mcp-lambda deploy\`, committed so a teammate or CI deploys the same.
// Flags beat this file; it beats what the deployed stack remembers, which beats the defaults.
{
  "$schema": "${SCHEMA_REFERENCE}",
  "name": "${name}",
  "servers": {
    "${name}": { "entry": "./server.ts" },
  },
  // Who may register (needed by the first deploy): your address, or "@your-domain" for a whole domain.
  // "signup": "allow-list",
  // "allow": ["you@example.com"],
  // "env": { "API_BASE_URL": "https://api.example.com" },
  // "secrets": { "API_KEY": "<Secrets Manager name or ARN>" },
}
`;
}

export function scaffold(name: string, cli = cliDependency()): Record<string, string> {
  // npm puts node_modules/.bin on the scripts' PATH: they run the mcp-lambda this project depends on.
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: 'mcp-lambda dev --entry ./server.ts',
      test: 'vitest run',
      // The deployment is mcp-lambda.jsonc: the scripts need no flags (flags still beat the file).
      synth: 'mcp-lambda synth',
      deploy: 'mcp-lambda deploy',
      login: 'mcp-lambda login',
      'write-config': 'mcp-lambda write-config',
      logs: 'mcp-lambda logs',
      status: 'mcp-lambda status',
    },
    dependencies: { '@modelcontextprotocol/server': '^2.4.0', zod: '^4.2.0' },
    devDependencies: {
      '@modelcontextprotocol/client': '^2.4.0',
      '@types/node': '^20',
      'mcp-lambda': cli,
      typescript: '~5.9',
      vitest: '~4.1',
    },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    [CONFIG_FILE_NAMES[0]]: deploymentFile(name),
    'server.ts': `import { acceptedContent, inputRequired, McpServer, type RequestStateCodec } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

/** What mcp-lambda passes to the factory on each request. */
export interface ServerContext {
  readonly era: 'legacy' | 'modern';
  /** The caller's OAuth token (client id, scopes, subject), when deployed behind Cognito. */
  readonly authInfo?: { readonly clientId: string; readonly scopes: string[]; readonly extra?: Record<string, unknown> };
  readonly requestId?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Seals state a multi-round-trip tool needs in its next round, with this deployment's key. */
  readonly requestState?: RequestStateCodec;
}

/** mcp-lambda builds a fresh server for every request from this default export. */
export default function createServer(ctx: ServerContext): McpServer {
  const server = new McpServer(
    { name: '${name}', version: '0.1.0' },
    // requestState comes back from the client: only state this deployment sealed is accepted.
    ctx.requestState ? { requestState: { verify: ctx.requestState.verify } } : {},
  );

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

  // Asking the user (elicitation) on Lambda, where nothing is remembered between requests: the tool
  // answers "input required" with the question and sealed state; the client asks the user and calls
  // again with the answer and the state (MCP 2026-07-28 clients; see mcp-lambda's README).
  const confirmation = z.object({ confirm: z.boolean() });
  server.registerTool(
    'forget',
    {
      description: 'Forgets a name, after the user confirms',
      inputSchema: z.object({ name: z.string().min(1) }),
    },
    async ({ name }, call) => {
      const asked = call.mcpReq.requestState<{ name: string }>();
      const answer = acceptedContent(call.mcpReq.inputResponses, 'confirm', confirmation);
      if (asked?.name === name && answer) {
        return { content: [{ type: 'text', text: answer.confirm ? \`Forgot \${name}.\` : 'Kept everything.' }] };
      }
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit({ message: \`Forget \${name}?\`, requestedSchema: confirmation }) },
        ...(ctx.requestState && { requestState: await ctx.requestState.mint({ name }, call) }),
      });
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
    '.gitignore': 'node_modules/\ncdk.out/\n.env\n',
    'README.md': `# ${name}

An MCP server for AWS Lambda, deployed behind OAuth with mcp-lambda (its own README, in the clone or the\npackage, says the rest).

\`\`\`
npm install            # dependencies, mcp-lambda among them (vendor/*.tgz when made from a clone: commit it)
npm run dev            # serve it on http://127.0.0.1:8765/mcp, rebuilt on every change
npm test               # the tool's test
npm run deploy         # bundle it and deploy it (mcp-lambda.jsonc says how; set allow there first)
npm run login          # register or sign in, and call it once
npm run write-config   # connect Claude Code to it
npm run logs           # its request log
\`\`\`

The deployment is \`mcp-lambda.jsonc\` (commit it): the server, who may sign up, settings (\`env\`) and
secrets (\`secrets\`: Secrets Manager names, never values) on Lambda. Flags still win over it:
\`npm run deploy -- --allow you@example.com\`. Locally, \`npm run dev -- --env-from .env\` locally (a file of \`KEY=VALUE\` lines you write; git ignores
it); the server reads them from \`process.env\`.

\`server.ts\` exports a function that returns an \`McpServer\`; mcp-lambda calls it for every request with
the caller's OAuth details (\`authInfo\`), the request id and the environment. Tools, resources and
prompts all work. Dependencies in \`package.json\` are bundled into the Lambda.
`,
  };
}

/**
 * This clone as a tarball (`npm pack`, its dist as built: no scripts run), in a temporary directory: what a
 * project made from a clone depends on, from its own vendor/ folder, so it installs on any machine and no
 * install rebuilds the clone.
 */
async function packClone(root: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-lambda-pack-'));
  try {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--loglevel=error', '--pack-destination', dir, root],
      { shell: process.platform === 'win32' },
    );
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    if (packed === undefined) throw new Error('npm pack named no file');
    return { dir, file: packed.filename };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new UserError(
      `Could not pack this clone for the project (npm pack ${root}): ${(error as Error).message.split('\n')[0]}`,
      {
        hint: 'Check that npm runs here (npm --version), or install mcp-lambda and run init from the install.',
      },
    );
  }
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
  const enclosing = options.insidePackage ? undefined : enclosingPackage(dirname(dir), ctx.env.HOME);
  if (enclosing !== undefined) {
    throw new UserError(
      `${dir} is inside the package at ${enclosing}; a project made there would become part of that package's lint and tests.`,
      {
        hint: `Make it somewhere else (mcp-lambda init ${join(dirname(enclosing), basename(dir))}), or pass --inside-package if that is what you want (a workspace, say).`,
      },
    );
  }
  const name = packageName(dir);
  const dependency = cliDependency();
  const packed = dependency.startsWith('file:') ? await packClone(cliPackageRoot()) : undefined;
  const files = scaffold(name, packed ? `file:vendor/${packed.file}` : dependency);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text, { flag: 'wx' });
  if (packed) {
    await mkdir(join(dir, 'vendor'));
    await copyFile(join(packed.dir, packed.file), join(dir, 'vendor', packed.file));
    await rm(packed.dir, { recursive: true, force: true });
  }
  if (ctx.global.json) {
    ctx.out.json({ dir, name, files: [...Object.keys(files), ...(packed ? [`vendor/${packed.file}`] : [])] });
    return;
  }
  const where = relative(ctx.cwd, dir) || '.';
  ctx.out.result(
    `${ctx.out.style.green('✓')} Created ${name} in ${dir}: ${[...Object.keys(files), ...(packed ? [`vendor/${packed.file}`] : [])].join(', ')}`,
  );
  ctx.out.info('');
  ctx.out.info('Next:');
  if (where !== '.') ctx.out.info(`  cd ${quote([where.startsWith('..') ? dir : where])}`);
  ctx.out.info(
    `  npm install        # its dependencies, and mcp-lambda ${packed ? `from this clone (vendor/${packed.file}: commit it)` : VERSION}`,
  );
  ctx.out.info('  npm run dev        # try it locally');
  ctx.out.info(
    '  npm run deploy -- --allow you@example.com   # put it on Lambda behind OAuth (or set allow in mcp-lambda.jsonc)',
  );
}
