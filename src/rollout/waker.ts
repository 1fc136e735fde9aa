/** An abortable wait that another party can cut short (the canary printed something); pokes while nobody waits are kept. */
export class Waker {
  private wake: (() => void) | undefined;
  private pending = false;

  /** Resolves true when poked (or a poke was pending), false after `ms` or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (poked: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(poked);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done(true);
      if (signal?.aborted) done(false);
    });
  }

  /** Waits `ms` regardless of pokes (they stay pending), or until abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted) done();
    });
  }

  poke(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }
}
