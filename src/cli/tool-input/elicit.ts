/**
 * Answering a tool's question (MCP elicitation, form mode) as a client does: from `--answer key=value`
 * when given, else by asking on a terminal, else by stopping with a sentence that says what the tool asks
 * and how to answer it. The same answer serves the 2025 era (a server→client request) and 2026-07-28
 * (an `input_required` result the SDK client fulfils through this handler, then calls again).
 */
import { UsageError, UserError } from '../terminal/errors.js';
import type { Prompter } from '../terminal/prompts.js';

interface FieldSchema {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly enum?: readonly unknown[];
}

export interface ElicitParams {
  readonly message: string;
  readonly requestedSchema?: { readonly properties?: Record<string, FieldSchema>; readonly required?: readonly string[] };
}

export type ElicitAnswer = { action: 'accept'; content: Record<string, string | number | boolean> } | { action: 'decline' };

/** `--answer key=value` pairs; a bad one is a usage error naming it. */
export function parseAnswers(pairs: readonly string[] | undefined): Map<string, string> {
  const answers = new Map<string, string>();
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--answer ${JSON.stringify(pair)} is not key=value.`, 'For example: --answer confirm=true');
    answers.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return answers;
}

/** A text answer as the field's type; undefined when it is not one. */
function convert(field: FieldSchema, text: string): string | number | boolean | undefined {
  if (field.type === 'boolean') {
    if (/^(true|yes|y)$/i.test(text)) return true;
    if (/^(false|no|n)$/i.test(text)) return false;
    return undefined;
  }
  if (field.type === 'number' || field.type === 'integer') {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || (field.type === 'integer' && !Number.isInteger(value))) return undefined;
    return value;
  }
  if (field.enum !== undefined && !field.enum.includes(text)) return undefined;
  return text;
}

function expected(field: FieldSchema): string {
  if (field.enum !== undefined) return field.enum.map(String).join('|');
  if (field.type === 'boolean') return 'true|false';
  return `<${field.type ?? 'text'}>`;
}

/** What the tool asks, in one line per field: `confirm=true|false (Forget Ada?)`. */
function describeFields(params: ElicitParams): string[] {
  return Object.entries(params.requestedSchema?.properties ?? {}).map(
    ([key, field]) =>
      `${key}=${expected(field)}${(field.description ?? field.title) ? ` (${field.description ?? field.title})` : ''}`,
  );
}

/** Answers one elicitation request. */
export async function answerElicitation(
  tool: string,
  params: ElicitParams,
  answers: ReadonlyMap<string, string>,
  prompt: Prompter,
  interactive: boolean,
): Promise<ElicitAnswer> {
  const fields = Object.entries(params.requestedSchema?.properties ?? {});
  const required = new Set(params.requestedSchema?.required ?? fields.map(([key]) => key));
  const content: Record<string, string | number | boolean> = {};
  const missing: string[] = [];
  for (const [key, field] of fields) {
    const given = answers.get(key);
    if (given !== undefined) {
      const value = convert(field, given);
      if (value === undefined) {
        throw new UsageError(
          `--answer ${key}=${given}: ${tool} asks for ${expected(field)} there.`,
          `For example: --answer ${key}=${field.type === 'boolean' ? 'true' : '…'}`,
        );
      }
      content[key] = value;
    } else if (required.has(key)) missing.push(key);
  }
  if (missing.length === 0) return { action: 'accept', content };
  if (!interactive) {
    const example = missing
      .map((key) => `--answer ${key}=${expected(params.requestedSchema?.properties?.[key] ?? {}).split('|')[0]}`)
      .join(' ');
    throw new UserError(
      `${tool} asks: ${params.message} It needs ${describeFields(params)
        .filter((line) => missing.some((key) => line.startsWith(`${key}=`)))
        .join(', ')}, and this session is not interactive.`,
      { hint: `Answer with ${example}, or run it in a terminal to be asked.` },
    );
  }
  for (const key of missing) {
    const field = params.requestedSchema?.properties?.[key] ?? {};
    const flag = `--answer ${key}=…`;
    if (field.type === 'boolean' && fields.length === 1) {
      content[key] = await prompt.confirm(params.message, { flag });
      continue;
    }
    const label = `${fields.length === 1 ? params.message : `${params.message} ${field.title ?? key}`} (${expected(field)}):`;
    const text = await prompt.input(label, {
      flag,
      validate: (value) => (convert(field, value) === undefined ? `Expected ${expected(field)}.` : true),
    });
    content[key] = convert(field, text) as string | number | boolean;
  }
  return { action: 'accept', content };
}
