/** Parsers for option values: each names the option and the bad value in its error. */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../terminal/errors.js';

/** A TCP port, 0–65535 (0 picks a free one). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected a whole number from 0 to 65535 (0 picks a free port), got "${value}".`);
  }
  return port;
}

/** A host name or IP address to listen on. */
export function parseHost(value: string): string {
  const host = value.trim();
  if (host === '' || /[\s/?#@]/.test(host)) {
    throw new InvalidArgumentError(`expected a host name or IP address such as 127.0.0.1, got "${value}".`);
  }
  return host;
}

/** A path given with a flag: an empty or blank one would silently mean "here", so it is refused. */
export function checkPathFlag(flag: string, value: string, example: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} needs a path, e.g. ${flag} ${example}`);
  return value;
}
