/** Spans of time in words, as doctor, logout and users print them. */
import { describe, expect, it } from 'vitest';
import { duration } from '../../../src/cli/terminal/duration.js';

describe('duration', () => {
  it.each([
    [0, '0 min'],
    [29_000, '0 min'],
    [45 * 60_000, '45 min'],
    [60 * 60_000, '1 h'],
    [90 * 60_000, '1 h 30 min'],
    [480 * 60_000, '8 h'],
    [-5 * 60_000, '0 min'],
  ])('%i ms reads %s', (ms, words) => {
    expect(duration(ms)).toBe(words);
  });
});
