/**
 * Time, for the parts that wait: a long tool's pauses and the keep-alive of a streamed answer. Tests run a
 * 60-second tool in under a second on a {@link scaledClock}; everything else uses the {@link realClock}.
 */
export interface Clock {
  /** Milliseconds on this clock's time line. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `tick` every `ms` of this clock's time until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

/** A clock whose time runs `speed` times faster than real time (tests); 1 is the real clock. */
export function scaledClock(speed: number): Clock {
  const started = performance.now();
  return {
    now: () => (performance.now() - started) * speed,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms / speed);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    every: (ms, tick) => {
      const timer = setInterval(tick, ms / speed);
      return () => clearInterval(timer);
    },
  };
}

export const realClock: Clock = scaledClock(1);
