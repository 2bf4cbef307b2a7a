/**
 * What code running for a request may need and the SDK does not hand it: the request's id (server
 * factories are called without it), its JSON-RPC messages (requestState is bound to the tool a message
 * calls) and, for a module that asked for it, the caller's bearer token. Set by the HTTP handler around
 * each request. It is not among the bundle's exports, so a server's code does not come across the token by
 * accident (logging or forwarding what it was handed); that prevents mistakes, not hostile code in the same
 * process, which can read anything the process holds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  readonly requestId: string;
  /** The request's JSON-RPC messages, as parsed (one, or a 2025-03-26 batch). */
  readonly messages?: readonly unknown[];
  /** The raw bearer token the authorizer verified; only custom.ts reads it, for `receiveBearerToken`. */
  readonly bearerToken?: string;
  /** What the request's log line says beyond HTTP and JSON-RPC, set by code serving it (the stdio bridge). */
  readonly notes?: RequestNotes;
}

/** Written while a request is served, read when its log line is written. */
export interface RequestNotes {
  /** A stdio server's child was started ('started') or started again after it exited ('restarted'). */
  child?: 'started' | 'restarted';
}

export const currentRequest = new AsyncLocalStorage<RequestScope>();
