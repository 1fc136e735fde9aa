/** Wraps CLI actions: typed errors become a clear message and an exit code (2 bad input, 1 otherwise). */
import { isBadInput, isMedicError } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Runs `body`; its resolved number is the exit code. Errors are printed, never swallowed. */
export function action<A extends unknown[]>(
  body: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await body(...args);
    } catch (error) {
      if (isMedicError(error)) {
        process.stderr.write(`medic: ${error.describe()}\n`);
        process.exitCode = isBadInput(error) ? EXIT_BAD_INPUT : EXIT_FAILED;
        return;
      }
      process.stderr.write(`medic: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT_FAILED;
    }
  };
}

/** Prints a record as JSON on stdout (`--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
