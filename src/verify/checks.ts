/** Building Check records: the recorder that reports each check as it ends, and output excerpts. */
import type { Check, CheckName } from '../core/model.js';

type Outcome = Check['outcome'];

export interface CheckInput {
  command: string[];
  outcome: Outcome;
  exitCode?: number | null;
  durationMs: number;
  excerpt?: string;
  note?: string;
  data?: Record<string, string | number | boolean>;
}

/** Collects a verification's checks in order and tells `onCheck` about each one as it ends. */
export class CheckRecorder {
  readonly checks: Check[] = [];
  constructor(private readonly onCheck?: (check: Check) => void) {}

  add(name: CheckName, input: CheckInput): Check {
    const check: Check = {
      name,
      command: input.command,
      outcome: input.outcome,
      ...(input.exitCode === undefined ? {} : { exitCode: input.exitCode }),
      durationMs: Math.max(0, Math.round(input.durationMs)),
      excerpt: input.excerpt ?? '',
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(input.data === undefined ? {} : { data: input.data }),
    };
    this.checks.push(check);
    this.onCheck?.(check);
    return check;
  }

  skip(name: CheckName, note: string, command: string[] = []): Check {
    return this.add(name, { command, outcome: 'skipped', durationMs: 0, note });
  }

  /** The first check with a blocking failure, if any. */
  firstFailure(): Check | undefined {
    return this.checks.find((c) => c.outcome === 'fail');
  }
}

const MAX_EXCERPT = 6000;

/** Keeps at most `maxLines` lines and MAX_EXCERPT characters of `text`, from the start. */
export function head(text: string, maxLines = 60): string {
  const lines = text.trimEnd().split('\n');
  const kept = lines.slice(0, maxLines).join('\n');
  const cut = kept.length > MAX_EXCERPT ? `${kept.slice(0, MAX_EXCERPT)}…` : kept;
  return lines.length > maxLines ? `${cut}\n… (${lines.length - maxLines} more lines)` : cut;
}

/** Keeps the last `maxLines` lines of `text`. */
export function tail(text: string, maxLines = 40): string {
  const lines = text.trimEnd().split('\n');
  const kept = lines.slice(-maxLines).join('\n');
  return kept.length > MAX_EXCERPT ? `…${kept.slice(-MAX_EXCERPT)}` : kept;
}

/**
 * The lines of test or program output that matter: the panic or fatal error and the stack of the
 * goroutine that failed, else the failing tests and their logs, else the tail.
 */
export function failureExcerpt(output: string): string {
  const lines = output.split('\n');
  const panicAt = lines.findIndex((l) =>
    /^(panic: |fatal error: |WARNING: DATA RACE|http: panic serving)/.test(l),
  );
  if (panicAt >= 0) return head(lines.slice(panicAt).join('\n'), 40);
  const failing = lines.filter((l) => /^\s*--- FAIL|^\s+\S+_test\.go:\d+:|^FAIL|timed out/.test(l));
  return failing.length > 0 ? head(failing.join('\n'), 40) : tail(output, 30);
}
