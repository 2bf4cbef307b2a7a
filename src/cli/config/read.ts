/**
 * Reads `mcp-lambda.jsonc` (or `mcp-lambda.json`, or the file `--config` names) and checks it against the
 * keys of ./keys.ts. Comments and trailing commas are accepted. Every mistake is a usage error (exit 2)
 * that names the file, the line and column, and the key: an unknown key (with the closest known one), a
 * value of the wrong type or out of range, a secret's value where a reference belongs, a key given twice.
 * It returns the values only; ./apply.ts lays them under the flags.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { type Node, type ParseError, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import { UsageError } from '../terminal/errors.js';
import { type FileKey, KEYS, type KeyDefinition, SCHEMA_KEY, type Schema } from './keys.js';

/** The names the file may have in the working directory, in the order they are looked for. */
export const CONFIG_FILE_NAMES = ['mcp-lambda.jsonc', 'mcp-lambda.json'] as const;

/** A file, read and checked. */
export interface ConfigFile {
  /** Its absolute path. */
  readonly path: string;
  /** Its path as messages show it (relative to the working directory when inside it). */
  readonly shown: string;
  /** Each key the file sets, with its value (checked). */
  readonly values: Readonly<Partial<Record<FileKey, unknown>>>;
}

/** A mistake at a place in the file. */
class FileProblem extends Error {
  constructor(
    readonly node: Node,
    readonly key: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The file `--config` names, or the one in `cwd`; undefined when there is none (and none was named). */
export function findConfigFile(cwd: string, named?: string): string | undefined {
  if (named !== undefined) {
    if (named.trim() === '') throw new UsageError('--config needs a file name.', '--config mcp-lambda.jsonc');
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw new UsageError(`--config ${named}: there is no such file (${path}).`);
    return path;
  }
  const found = CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).filter((path) => existsSync(path));
  if (found.length > 1) {
    throw new UsageError(
      `Both ${CONFIG_FILE_NAMES.join(' and ')} are here; mcp-lambda reads one.`,
      'Remove one of them, or name the one to read with --config <file>.',
    );
  }
  return found[0];
}

/** Reads and checks the file, if there is one (see {@link findConfigFile}). */
export async function readConfigFile(cwd: string, named?: string): Promise<ConfigFile | undefined> {
  const path = findConfigFile(cwd, named);
  if (path === undefined) return undefined;
  const shown = relative(cwd, path).startsWith('..') ? path : relative(cwd, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${shown}: ${(error as Error).message}`);
  }
  return { path, shown, values: parseConfigText(text, shown) };
}

/** `line:column` (both from 1) of an offset in `text`. */
export function positionOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

/** Checks the text of a file (named `shown` in messages) and returns the values it sets. */
export function parseConfigText(text: string, shown: string): Partial<Record<FileKey, unknown>> {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const [first] = errors;
  if (first !== undefined) {
    throw new UsageError(
      `${shown}:${positionOf(text, first.offset)}: not valid JSON (${printParseErrorCode(first.error)}).`,
      'Comments and trailing commas are fine; check the brackets, the quotes and the commas between entries.',
    );
  }
  try {
    if (root === undefined || root.type !== 'object') {
      throw new FileProblem(
        root ?? ({ type: 'null', offset: 0, length: 0 } as Node),
        '(file)',
        'the file must hold one JSON object, {…}.',
      );
    }
    const values: Partial<Record<FileKey, unknown>> = {};
    const known = [SCHEMA_KEY, ...Object.keys(KEYS)];
    for (const [keyNode, valueNode] of properties(root)) {
      const key = keyNode.value as string;
      if (key === SCHEMA_KEY) {
        validate(valueNode, { type: 'string' }, key);
        continue;
      }
      if (!Object.hasOwn(KEYS, key)) throw unknownKey(keyNode, key, known);
      const definition: KeyDefinition = KEYS[key as FileKey];
      validate(valueNode, definition.schema, key);
      runCheck(definition, valueNode, key);
      values[key as FileKey] = getNodeValue(valueNode);
    }
    checkTogether(root, values);
    return values;
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    throw new UsageError(`${shown}:${positionOf(text, error.node.offset)}: ${error.key}: ${error.message}`, error.hint);
  }
}

/** An object node's properties as [key node, value node], refusing a key given twice. */
function properties(node: Node): [Node, Node][] {
  const seen = new Set<string>();
  return (node.children ?? []).map((property) => {
    const [keyNode, valueNode] = property.children as [Node, Node];
    const key = keyNode.value as string;
    if (seen.has(key)) throw new FileProblem(keyNode, key, 'given twice; give it once.');
    seen.add(key);
    return [keyNode, valueNode];
  });
}

function unknownKey(node: Node, key: string, known: readonly string[]): FileProblem {
  const closest = closestKey(key.slice(key.lastIndexOf('.') + 1), known);
  return new FileProblem(
    node,
    key,
    `unknown key${closest ? `; did you mean "${closest}"?` : '.'}`,
    `The keys are ${known.join(', ')} (see the schema: $schema).`,
  );
}

/** The known key nearest to `key` (ignoring case, - and _), if one is near enough to be meant. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const plain = (value: string) => value.toLowerCase().replace(/[-_]/g, '');
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(plain(key), plain(candidate));
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** What a schema accepts, in words. */
export function describeSchema(schema: Schema): string {
  if (schema.anyOf) return schema.anyOf.map(describeSchema).join(' or ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return `one of ${schema.enum.map((item) => JSON.stringify(item)).join(', ')}`;
  switch (schema.type) {
    case 'integer':
      return `a whole number from ${schema.minimum} to ${schema.maximum}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return `a list of ${
        schema.items
          ? describeSchema(schema.items)
              .replace(/^a /, '')
              .replace(/^text$/, 'texts')
          : 'values'
      }`;
    case 'object':
      return 'an object, {…}';
    default:
      return schema.pattern === '^vpc-' ? 'a VPC id (vpc-…)' : 'text';
  }
}

/** Checks a value node against a schema of ./keys.ts, throwing a {@link FileProblem} at the first mistake. */
function validate(node: Node, schema: Schema, key: string): void {
  if (schema.anyOf) {
    const fits = schema.anyOf.some((option) => {
      try {
        validate(node, option, key);
        return true;
      } catch (error) {
        if (error instanceof FileProblem) return false;
        throw error;
      }
    });
    if (!fits) throw new FileProblem(node, key, `expected ${describeSchema(schema)}, got ${shownValue(node)}.`);
    return;
  }
  const wrong = () => new FileProblem(node, key, `expected ${describeSchema(schema)}, got ${shownValue(node)}.`);
  const value: unknown = node.value;
  switch (schema.type) {
    case 'string':
      if (node.type !== 'string') throw wrong();
      if (schema.minLength !== undefined && (value as string).trim().length < schema.minLength)
        throw new FileProblem(node, key, 'is empty.');
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value as string)) throw wrong();
      break;
    case 'integer':
      if (node.type !== 'number' || !Number.isInteger(value)) throw wrong();
      if ((value as number) < (schema.minimum ?? -Infinity) || (value as number) > (schema.maximum ?? Infinity)) throw wrong();
      break;
    case 'boolean':
      if (node.type !== 'boolean') throw wrong();
      break;
    case 'array':
      if (node.type !== 'array') throw wrong();
      if ((node.children?.length ?? 0) < (schema.minItems ?? 0))
        throw new FileProblem(node, key, 'is empty; name one at least, or drop the key.');
      for (const item of node.children ?? []) validate(item, schema.items ?? {}, key);
      break;
    case 'object':
      validateObject(node, schema, key);
      break;
  }
  if (schema.enum && !schema.enum.includes(value as string)) throw wrong();
  if (schema.const !== undefined && value !== schema.const) throw wrong();
}

function validateObject(node: Node, schema: Schema, key: string): void {
  if (node.type !== 'object') throw new FileProblem(node, key, `expected ${describeSchema(schema)}, got ${shownValue(node)}.`);
  const entries = properties(node);
  const known = Object.keys(schema.properties ?? {});
  if (entries.length < (schema.minProperties ?? 0) || entries.length > (schema.maxProperties ?? Infinity)) {
    throw new FileProblem(
      node,
      key,
      known.length > 0 ? `give one of ${known.map((name) => `"${name}"`).join(' or ')}.` : 'is empty; drop the key, or fill it.',
    );
  }
  for (const [nameNode, valueNode] of entries) {
    const name = nameNode.value as string;
    const path = `${key}.${name}`;
    if (schema.propertyNames?.pattern !== undefined && !new RegExp(schema.propertyNames.pattern).test(name)) {
      throw new FileProblem(nameNode, path, 'a name has lowercase letters, digits and -, and starts with a letter.');
    }
    const own = schema.properties?.[name];
    if (own !== undefined) validate(valueNode, own, path);
    else if (schema.additionalProperties === false) throw unknownKey(nameNode, path, known);
    else if (schema.additionalProperties !== undefined) validate(valueNode, schema.additionalProperties, path);
  }
}

function shownValue(node: Node): string {
  if (node.type === 'object') return 'an object';
  if (node.type === 'array') return 'a list';
  const shown = JSON.stringify(node.value);
  return shown.length > 40 ? `${shown.slice(0, 37)}…` : shown;
}

/** A key's own check, at the entry (of an object or a list) it finds wrong. */
function runCheck(definition: KeyDefinition, node: Node, key: string): void {
  const check = definition.check as ((value: unknown) => string | undefined) | undefined;
  if (check === undefined) return;
  if (node.type === 'object') {
    for (const [nameNode, valueNode] of properties(node)) {
      const problem = check({ [nameNode.value as string]: getNodeValue(valueNode) });
      if (problem !== undefined) throw new FileProblem(valueNode, `${key}.${nameNode.value as string}`, problem);
    }
  } else if (node.type === 'array') {
    for (const item of node.children ?? []) {
      const problem = check([getNodeValue(item)]);
      if (problem !== undefined) throw new FileProblem(item, key, problem);
    }
  } else {
    const problem = check(getNodeValue(node));
    if (problem !== undefined) throw new FileProblem(node, key, problem);
  }
}

/** What keys must say together: one server is named by its key (so `name`, if given, is that). */
function checkTogether(root: Node, values: Partial<Record<FileKey, unknown>>): void {
  const servers = values.servers as Record<string, unknown> | undefined;
  const names = Object.keys(servers ?? {});
  if (names.length === 1 && values.name !== undefined && values.name !== names[0]) {
    const node = (root.children ?? []).find((property) => property.children?.[0]?.value === 'servers')?.children?.[0];
    throw new FileProblem(
      node ?? root,
      'servers',
      `one server is named as the deployment is: "${names[0]}" here, "${String(values.name)}" in name.`,
      `Name the server "${String(values.name)}", or drop name.`,
    );
  }
}
