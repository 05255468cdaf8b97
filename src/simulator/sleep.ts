/** Resolves after `ms` or as soon as `signal` aborts; `ms` 0 still yields to the event loop so other connections progress. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      clearImmediate(immediate);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = ms > 0 ? setTimeout(done, ms) : undefined;
    const immediate = ms > 0 ? undefined : setImmediate(done);
    signal.addEventListener('abort', done, { once: true });
  });
}
