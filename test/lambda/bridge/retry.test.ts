/**
 * A child that cannot start (src/lambda/bridge/child.ts): after a failed start, requests fail at once with
 * its reason for a wait that doubles with each failure in a row, instead of each holding for the start
 * timeout; the first request after the wait tries again, and a start that succeeds resets it. Real children
 * (test/fixtures/stdio/scripted.mjs), a clock of the test's own.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createSupervisor, RETRY_FIRST_MS, type Supervisor } from '../../../src/lambda/bridge/child.js';
import type { ChildLogRecord } from '../../../src/lambda/services/log.js';
import { ROOT, scripted, tempDir } from './helpers.js';

const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stop()));
});

function supervise(spec: ReturnType<typeof scripted>, clock: { now: number }) {
  const records: ChildLogRecord[] = [];
  const supervisor = createSupervisor(spec, {
    baseDir: ROOT,
    env: { PATH: process.env.PATH },
    log: (record) => records.push(record),
    startTimeoutMs: 300,
    requestTimeoutMs: 10_000,
    workDir: tempDir(),
    now: () => clock.now,
  });
  supervisors.push(supervisor);
  return { supervisor, records };
}

it('a child that never answers initialize: the next requests fail at once until the wait is over, and the wait doubles', async () => {
  const clock = { now: 1_000_000 };
  const { supervisor, records } = supervise(scripted('silent'), clock);
  await expect(supervisor.upstream()).rejects.toThrow(/did not answer initialize within 300 ms/);
  expect(supervisor.starts).toBe(1);

  // Within the wait: no new child, the same reason, and when it will be tried again.
  const started = performance.now();
  await expect(supervisor.upstream()).rejects.toThrow(
    /did not answer initialize within 300 ms .*Not tried again for 1 s \(1 failed start in a row\)/,
  );
  expect(performance.now() - started).toBeLessThan(250);
  expect(supervisor.starts).toBe(1);

  // After it: tried again, failed again, and the next wait is twice as long.
  clock.now += RETRY_FIRST_MS;
  await expect(supervisor.upstream()).rejects.toThrow(/did not answer initialize/);
  expect(supervisor.starts).toBe(2);
  clock.now += RETRY_FIRST_MS;
  await expect(supervisor.upstream()).rejects.toThrow(/Not tried again for 1 s \(2 failed starts in a row\)/);
  expect(supervisor.starts).toBe(2);
  expect(records.filter((record) => record.event === 'start_failed')).toHaveLength(2);
});

it('a program that was missing and is there after the wait starts, and a later failure waits the first wait again', async () => {
  const clock = { now: 1_000_000 };
  const dir = tempDir();
  const program = join(dir, 'server.mjs');
  const { supervisor } = supervise({ label: 'later', program, args: [] }, clock);
  await expect(supervisor.upstream()).rejects.toThrow(/could not be started/);
  await expect(supervisor.upstream()).rejects.toThrow(/Not tried again for 1 s/);

  copyFileSync(join(ROOT, 'test/fixtures/stdio/scripted.mjs'), program);
  clock.now += RETRY_FIRST_MS;
  const upstream = await supervisor.upstream();
  expect(upstream.serverInfo.name).toBeTruthy();
  expect(supervisor.starts).toBe(2);

  // The success reset the count: the program gone again, its failure waits the first wait, not the second.
  await supervisor.stop();
  rmSync(program);
  await expect(supervisor.upstream()).rejects.toThrow(/could not be started/);
  await expect(supervisor.upstream()).rejects.toThrow(/Not tried again for 1 s \(1 failed start in a row\)/);
});
