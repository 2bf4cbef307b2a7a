/** mcp-lambda.jsonc: every mistake named with file:line:column and the key (exit 2), and the schema kept in step. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closestKey, parseConfigText } from '../../../src/cli/config/read.js';
import { configSchemaText, SCHEMA_FILE } from '../../../src/cli/config/schema.js';
import { KEYS } from '../../../src/cli/config/keys.js';
import { secretValueProblem } from '../../../src/cli/config/secret-values.js';
import { runCli } from '../../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..', '..');

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** What parsing `text` refuses with (message and hint), or undefined. */
function refusal(text: string): string | undefined {
  try {
    parseConfigText(text, 'mcp-lambda.jsonc');
    return undefined;
  } catch (error) {
    const { message, hint } = error as { message: string; hint?: string };
    return `${message}${hint ? ` | ${hint}` : ''}`;
  }
}

describe('reading mcp-lambda.jsonc', () => {
  it('accepts comments, trailing commas and $schema, and returns the values', () => {
    const values = parseConfigText(
      `{
  // the deployment
  "$schema": "./node_modules/mcp-lambda/schema/mcp-lambda.schema.json",
  "name": "cat-facts", /* inline */
  "timeout": 60,
  "env": { "API_BASE": "https://api.example.com", },
}
`,
      'f',
    );
    expect(values).toEqual({ name: 'cat-facts', timeout: 60, env: { API_BASE: 'https://api.example.com' } });
  });

  it.each([
    ['{\n  "timout": 60\n}', 'mcp-lambda.jsonc:2:3: timout: unknown key; did you mean "timeout"?'],
    ['{\n  "stack-name": "x"\n}', 'mcp-lambda.jsonc:2:3: stack-name: unknown key; did you mean "stackName"?'],
    ['{\n  "secret": {}\n}', 'mcp-lambda.jsonc:2:3: secret: unknown key; did you mean "secrets"?'],
    ['{ "zzzz": 1 }', 'mcp-lambda.jsonc:1:3: zzzz: unknown key.'],
    [
      '{\n  "servers": { "notes": { "entri": "./notes.ts" } }\n}',
      'mcp-lambda.jsonc:2:27: servers.notes.entri: unknown key; did you mean "entry"?',
    ],
    ['{\n  "timeout": "60"\n}', 'mcp-lambda.jsonc:2:14: timeout: expected a whole number from 5 to 900, got "60".'],
    ['{\n  "timeout": 1000\n}', 'mcp-lambda.jsonc:2:14: timeout: expected a whole number from 5 to 900, got 1000.'],
    ['{\n  "memory": 512.5\n}', 'mcp-lambda.jsonc:2:13: memory: expected a whole number from 128 to 10240, got 512.5.'],
    ['{ "mfa": "sometimes" }', 'mcp-lambda.jsonc:1:10: mfa: expected one of "off", "optional", "required", got "sometimes".'],
    ['{ "slowDemo": "yes" }', 'mcp-lambda.jsonc:1:15: slowDemo: expected true or false, got "yes".'],
    ['{ "allow": "me@example.com" }', 'mcp-lambda.jsonc:1:12: allow: expected a list of texts, got "me@example.com".'],
    ['{ "allow": [] }', 'mcp-lambda.jsonc:1:12: allow: is empty; name one at least, or drop the key.'],
    [
      '{ "clients": ["claude-code", "emacs"] }',
      'mcp-lambda.jsonc:1:30: clients: expected one of "claude-code", "gemini", "vscode", "cursor", "claude-desktop", "codex", got "emacs".',
    ],
    [
      '{ "reservedConcurrency": "all" }',
      'mcp-lambda.jsonc:1:26: reservedConcurrency: expected a whole number from 1 to 1000 or "none", got "all".',
    ],
    ['{ "vpc": true }', 'mcp-lambda.jsonc:1:10: vpc: expected a VPC id (vpc-…) or false, got true.'],
    ['{ "subnets": ["subnet-1"] }', 'mcp-lambda.jsonc:1:15: subnets: '],
    ['{ "alarms": "ops" }', 'mcp-lambda.jsonc:1:13: alarms: use an email address such as ops@example.com'],
    ['{ "alarms": true }', 'mcp-lambda.jsonc:1:13: alarms: expected text or false, got true.'],
    ['{ "latencyAlarmMs": 50 }', 'mcp-lambda.jsonc:1:21: latencyAlarmMs: expected a whole number from 100 to 900000, got 50.'],
    [
      '{ "toolGroups": { "getDogFacts": ["bad group"] } }',
      'mcp-lambda.jsonc:1:34: toolGroups.getDogFacts: group name "bad group" is not valid',
    ],
    ['{ "name": "Bad_Name" }', 'mcp-lambda.jsonc:1:11: name: expected text, got "Bad_Name".'],
    ['{ "name": "my-aws-tools" }', 'mcp-lambda.jsonc:1:11: name: server name "my-aws-tools" is not valid'],
    ['{ "stage": "" }', 'mcp-lambda.jsonc:1:12: stage: is empty.'],
    ['{ "servers": { "notes": {} } }', 'mcp-lambda.jsonc:1:25: servers.notes: give one of "entry" or "stdio".'],
    ['{ "servers": { "Notes": { "entry": "./n.ts" } } }', 'mcp-lambda.jsonc:1:16: servers.Notes: a name has lowercase letters'],
    [
      '{ "name": "a", "servers": { "b": { "entry": "./b.ts" } } }',
      'mcp-lambda.jsonc:1:16: servers: one server is named as the deployment is',
    ],
    ['{ "timeout": 30, "timeout": 40 }', 'mcp-lambda.jsonc:1:18: timeout: given twice; give it once.'],
    ['{ "env": { "API_KEY": "hunter2-hunter2" } }', 'mcp-lambda.jsonc:1:23: env.API_KEY: API_KEY is named like a secret'],
    [
      '{ "env": { "GREETING": "sk-live-1234567890abcdef" } }',
      "mcp-lambda.jsonc:1:24: env.GREETING: GREETING looks like a secret's value",
    ],
    [
      '{ "secrets": { "API_KEY": "sk-proj-abc123def456" } }',
      'mcp-lambda.jsonc:1:27: secrets.API_KEY: API_KEY must be a reference',
    ],
    [
      '{ "secrets": { "API_KEY": "correct horse battery" } }',
      'mcp-lambda.jsonc:1:27: secrets.API_KEY: API_KEY must be a reference',
    ],
    [
      '{ "secrets": { "API_KEY": "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MA" } }',
      'mcp-lambda.jsonc:1:27: secrets.API_KEY: API_KEY must be a reference',
    ],
    ['[1, 2]', 'mcp-lambda.jsonc:1:1: (file): the file must hold one JSON object'],
    ['{\n  "timeout": 60\n  "memory": 512\n}', 'mcp-lambda.jsonc:3:3: not valid JSON (CommaExpected).'],
  ])('refuses %s', (text, message) => {
    expect(refusal(text)).toContain(message);
  });

  it('takes references to secrets: names, ARNs, parameters, #field', () => {
    for (const reference of [
      'my-app/api-key',
      'my-app/db#password',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:my-app/api-key-AbCdEf',
      '/my-app/api-key',
      'ssm:/my-app/key',
      'arn:aws:ssm:eu-west-1:123456789012:parameter/my-app/key',
    ]) {
      expect(secretValueProblem('API_KEY', reference, 'secrets'), reference).toBeUndefined();
    }
    expect(secretValueProblem('TOKEN_URL', 'https://auth.example.com/token', 'env')).toBeUndefined();
    expect(secretValueProblem('notes:GREETING', 'hello', 'env')).toBeUndefined();
  });

  it('suggests the closest key, or none when nothing is close', () => {
    expect(closestKey('sessionhours', Object.keys(KEYS))).toBe('sessionHours');
    expect(closestKey('log_retention', Object.keys(KEYS))).toBe('logRetention');
    expect(closestKey('banana', Object.keys(KEYS))).toBeUndefined();
  });

  it('exits 2 with the position, the key and the hint, before anything is built', async () => {
    const cwd = dirWith({ 'mcp-lambda.jsonc': '{\n  // a typo\n  "sesionHours": 4,\n}\n' });
    const result = await runCli(['synth'], {}, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mcp-lambda.jsonc:3:3: sesionHours: unknown key; did you mean "sessionHours"?');
    expect(result.stdout).toBe('');
  });

  it('reads the file --config names, refuses one that is missing, and refuses two files side by side', async () => {
    const cwd = dirWith({ 'team.jsonc': '{ "memory": 64 }' });
    const named = await runCli(['synth', '--config', 'team.jsonc'], {}, { cwd });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('team.jsonc:1:13: memory: expected a whole number from 128 to 10240, got 64.');
    const missing = await runCli(['synth', '--config', 'nope.jsonc'], {}, { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config nope.jsonc: there is no such file');
    const both = dirWith({ 'mcp-lambda.jsonc': '{}', 'mcp-lambda.json': '{}' });
    const twice = await runCli(['synth'], {}, { cwd: both });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('Both mcp-lambda.jsonc and mcp-lambda.json are here; mcp-lambda reads one.');
  });

  it('reads mcp-lambda.json too, and names it in its mistakes', async () => {
    const cwd = dirWith({ 'mcp-lambda.json': '{\n  "logRetention": 0\n}\n' });
    const result = await runCli(['synth'], {}, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mcp-lambda.json:2:19: logRetention: expected a whole number from 1 to 3653, got 0.');
  });

  it('ships the schema generated from the key definitions', () => {
    expect(readFileSync(join(root, SCHEMA_FILE), 'utf8')).toBe(configSchemaText());
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema');
    const schema = JSON.parse(configSchemaText()) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(['$schema', ...Object.keys(KEYS)]);
    expect(schema.additionalProperties).toBe(false);
  });
});
