/**
 * The report of a run, for a person to attach to an issue: live-report.json (the rows as data) and
 * live-report.md (a table, then each row's evidence). One row per claim, in the order of CLAIMS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIM_IDS, CLAIMS, type Row, skipped } from './claims.js';

export interface ReportMeta {
  readonly target: 'stand-in' | 'live';
  readonly runTag: string;
  readonly region?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Stated before the run started. */
  readonly costEstimate?: string;
  readonly versions?: Readonly<Record<string, string>>;
  /** What the run noticed outside the rows (a failed deploy or destroy). */
  readonly notes?: readonly string[];
}

export interface Report {
  readonly meta: ReportMeta;
  readonly summary: { readonly passed: number; readonly failed: number; readonly skipped: number };
  readonly rows: readonly Row[];
}

/** One row per claim in CLAIMS order; a claim with no row is skipped as "not run" (say why in `missing`). */
export function buildReport(meta: ReportMeta, rows: readonly Row[], missing = 'not run'): Report {
  const ordered = CLAIM_IDS.map((id) => rows.find((row) => row.id === id) ?? skipped(id, missing));
  const count = (status: Row['status']) => ordered.filter((row) => row.status === status).length;
  return { meta, summary: { passed: count('passed'), failed: count('failed'), skipped: count('skipped') }, rows: ordered };
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function reportMarkdown(report: Report): string {
  const { meta, summary } = report;
  const lines = [
    `# mcp-lambda live report (${meta.target})`,
    '',
    `Run ${meta.runTag}${meta.region ? ` in ${meta.region}` : ''}, ${meta.startedAt} to ${meta.finishedAt}.`,
    ...(meta.costEstimate ? [`Cost stated before the run: ${meta.costEstimate}.`] : []),
    ...(meta.versions
      ? [
          `Versions: ${Object.entries(meta.versions)
            .map(([name, version]) => `${name} ${version}`)
            .join(', ')}.`,
        ]
      : []),
    '',
    `**${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped.**`,
    '',
    ...(meta.notes && meta.notes.length > 0 ? ['Notes:', '', ...meta.notes.map((note) => `- ${note}`), ''] : []),
    '| Claim | Status | Evidence |',
    '| --- | --- | --- |',
    ...report.rows.map(
      (row) => `| \`${row.id}\`: ${cell(CLAIMS[row.id])} | ${row.status} | ${cell(JSON.stringify(row.evidence)).slice(0, 300)} |`,
    ),
    '',
    '## Evidence',
    '',
    'Status codes, error codes and token claims (header and payload only: no signature, no token).',
    '',
    ...report.rows.flatMap((row) => [
      `### ${row.id} — ${row.status}`,
      '',
      '```json',
      JSON.stringify(row.evidence, null, 2),
      '```',
      '',
    ]),
  ];
  return lines.join('\n');
}

/** Writes live-report.json and live-report.md into `dir`; returns their paths. */
export function writeReport(dir: string, report: Report): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'live-report.json');
  const markdown = join(dir, 'live-report.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, reportMarkdown(report));
  return { json, markdown };
}

/** Token-like strings a report must never hold: a whole JWT (three base64url parts). */
export const WHOLE_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/;
