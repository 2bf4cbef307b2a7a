/**
 * How the function writes its log lines (src/lambda/services/log.ts): straight to fd 1, the whole line
 * even when the pipe takes it in parts, and through `process.stdout` from the first write that fails, so
 * a line is never lost, cut or reordered and a request never fails for it.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { writeStdoutLine } from '../../../src/lambda/services/log.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('writes the whole line to fd 1, in as many writes as the pipe takes', () => {
  const seen: string[] = [];
  const stream = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  // A pipe that takes at most 5 bytes a write.
  writeStdoutLine('{"level":"info","msg":"request"}\n', (fd, bytes) => {
    expect(fd).toBe(1);
    const taken = bytes.subarray(0, 5);
    seen.push(Buffer.from(taken).toString());
    return taken.length;
  });
  expect(seen.join('')).toBe('{"level":"info","msg":"request"}\n');
  expect(stream).not.toHaveBeenCalled();
});

it('hands the rest to process.stdout when a write fails (EAGAIN), and keeps using it so lines stay in order', () => {
  const streamed: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    streamed.push(Buffer.from(chunk).toString());
    return true;
  });
  let calls = 0;
  const direct: string[] = [];
  const wouldBlockAfterFour = (_fd: number, bytes: Uint8Array): number => {
    calls += 1;
    if (calls === 1) {
      direct.push(Buffer.from(bytes.subarray(0, 4)).toString());
      return 4;
    }
    throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
  };
  writeStdoutLine('first line\n', wouldBlockAfterFour);
  expect(direct.join('') + streamed.join('')).toBe('first line\n');
  // From now on the stream takes every line; the direct write is not tried again.
  writeStdoutLine('second line\n', wouldBlockAfterFour);
  expect(calls).toBe(2);
  expect(streamed).toEqual(['t line\n', 'second line\n']);
});
