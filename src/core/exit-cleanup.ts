/**
 * Synchronous clean-ups that must run however the process ends: at exit, and on SIGINT, SIGTERM
 * or SIGHUP when nothing else handles the signal (a Ctrl-C of `medic replay`). When something
 * else does (the service drains its stages on SIGTERM), the clean-ups wait for the exit it
 * leads to, so work still running is not pulled from under it.
 */

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runAll(): void {
  for (const cleanup of cleanups) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // One failed clean-up must not keep the others from running on the way out.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  runAll();
  uninstall();
  // Die of the signal, as the process would have without this handler.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Runs `cleanup` (synchronously: there is no later tick on the way out) when the process ends,
 * unless the returned function is called first. The handlers are installed while any clean-up
 * is registered.
 */
export function onProcessEnd(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
