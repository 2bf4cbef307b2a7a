/** The shapes every client writer has (the registry, ./writers.ts, lists the writers themselves). */
import type { StackOutputs } from '../deployed/resolve.js';
import type { JsonTarget } from './json-config.js';
import type { TomlTarget } from './toml-config.js';

export type WriterScope = 'project' | 'user';
export type Env = Readonly<Record<string, string | undefined>>;

/** A client whose config is a JSON file. */
export interface FileWriter {
  readonly kind: 'file';
  readonly id: string;
  readonly title: string;
  /** The file and the path to its entries, for a scope. */
  target(scope: WriterScope, env: Env, cwd: string, platform?: NodeJS.Platform): JsonTarget;
  /** The entry for a deployed server, in the client's own schema. */
  entry(stack: StackOutputs): Record<string, unknown>;
  /** What the user does next, in the client. */
  next(name: string): string[];
}

/** A client whose config is a TOML file (Codex). */
export interface TomlWriter {
  readonly kind: 'toml';
  readonly id: string;
  readonly title: string;
  target(scope: WriterScope, env: Env, cwd: string): TomlTarget;
  entry(stack: StackOutputs): Record<string, unknown>;
  next(name: string): string[];
}

/** A client configured in its own UI: the values and the steps. */
export interface PasteWriter {
  readonly kind: 'paste';
  readonly id: string;
  readonly title: string;
  steps(stack: StackOutputs, name: string): string[];
}

export type ClientWriter = FileWriter | TomlWriter | PasteWriter;
