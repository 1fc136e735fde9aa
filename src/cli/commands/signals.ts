/** Graceful shutdown for the long-running commands: the first SIGTERM or SIGINT closes cleanly, a second exits at once. */
import type { Logger } from '../../core/log.js';

export function untilSignal(log: Logger, close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      log.info(`${signal}: finishing or handing back running stages`);
      close().then(resolve, reject);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
