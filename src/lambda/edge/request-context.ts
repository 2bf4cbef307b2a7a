/**
 * The current request's id, for server factories (the SDK calls them without it). Set by the HTTP handler
 * around each request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const currentRequest = new AsyncLocalStorage<{ readonly requestId: string }>();
