/** Facts the rules read out of Evidence and source for one failure: what every explanation is written from. */
import type { CodeLocation, FailureClass } from '../../core/model.js';

export type BlockKind = 'mutex' | 'rwmutex' | 'channel' | 'select' | 'waitgroup' | 'cond' | 'other';

export interface Facts {
  cls: FailureClass;
  blamed: CodeLocation;
  /** The blamed source line, trimmed (read from the repository). */
  code?: string;
  /** The panic value or fatal error, redacted and clipped; empty when there is none. */
  message: string;
  goroutineId?: number;
  goroutineState?: string;
  /** The fault signal as printed (`SIGSEGV addr=0x0`), for nil dereferences. */
  signal?: string;
  /** The next application frame outwards: who called the blamed function. */
  caller?: CodeLocation;
  /** The other side: the previous racing access, the other map writer, the peer lock holder. */
  other?: CodeLocation;
  otherGoroutineId?: number;
  accessKinds?: [string, string];
  blockKind?: BlockKind;
  /** How many goroutines are blocked or leaked in the same place. */
  count?: number;
  growth?: { kind: string; before: number; after: number; perMinute: number; seconds: number; unit: string };
  /** How often the blamed function repeats on the stack (recursion). */
  repeats?: number;
  /**
   * What the source shows about the other half of the bug: the non-owner that closes a channel
   * under its sender, the frame already holding a non-reentrant lock, the caller that keeps
   * memory a helper allocated. `at` is the line the source shows it on.
   */
  twist?:
    | { kind: 'closes-under-sender'; at: CodeLocation; channel: string }
    | { kind: 'lock-held'; at: CodeLocation; lock: string; waitsIn: CodeLocation }
    | {
        kind: 'keeps-allocation';
        /** The line that takes the allocation. */
        at: CodeLocation;
        allocator: CodeLocation;
        /** The later line that passes it on to something longer-lived, when the source shows one. */
        handoff?: CodeLocation;
      };
  /** Evidence ids that put the blamed location first, in the order found. */
  citations: string[];
  /** Evidence ids about `other`. */
  otherCitations: string[];
}

/** What a locator finds: the blamed place, runners-up, and the facts it learned on the way. */
export interface Located {
  primary: CodeLocation;
  alternatives: CodeLocation[];
  facts: Omit<Facts, 'cls' | 'blamed' | 'message' | 'citations' | 'otherCitations'> & {
    citations?: string[];
    otherCitations?: string[];
  };
  /** 0..1: how directly the evidence names the place (a crash frame is direct; a profile stack less so). */
  directness: number;
  /** The blamed goroutine's application frames, innermost first, when a stack put the blame there. */
  stack?: CodeLocation[];
  /** For profile growth: the grown stack's function names, leaf first. */
  growthStack?: string[];
}

/** Expressions on the blamed line that explanations name; best effort, from the source text. */
export function mapTarget(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const m =
    /([A-Za-z_][\w.]*(?:\([^()]*\))?(?:\.[A-Za-z_]\w*)*)\s*\[[^\]]*\]\s*(?:[-+*/%|&^]?=(?!=)|\+\+|--)/.exec(
      code,
    );
  return m?.[1];
}

export function closeTarget(code: string | undefined): string | undefined {
  return code ? /\bclose\(\s*([^()]+?)\s*\)/.exec(code)?.[1] : undefined;
}

export function sendTarget(code: string | undefined): string | undefined {
  return code ? /([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\s*<-/.exec(code)?.[1] : undefined;
}

export function divisor(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const m = /[^/*]\s*[/%]=?\s*([A-Za-z_][\w.]*(?:\([^()]*\))?|\([^()]+\))/.exec(code);
  return m?.[1];
}

export function assertion(code: string | undefined): string | undefined {
  return code ? /([A-Za-z_][\w.]*(?:\([^()]*\))?)\.\(\s*([^()]+?)\s*\)/.exec(code)?.[0] : undefined;
}

/** `index out of range [5] with length 3` -> { index: 5, length: 3 }. */
export function indexNumbers(message: string): { index?: string; length?: string; bound?: string } {
  const idx = /out of range \[([^\]]+)\] with (?:length|capacity) (\d+)/.exec(message);
  if (idx) return { index: idx[1] as string, length: idx[2] as string };
  const slice = /slice bounds out of range \[([^\]]*)\]/.exec(message);
  return slice ? { bound: slice[1] as string } : {};
}

/** `interface conversion: interface {} is string, not int` -> the dynamic and wanted types. */
export function conversionTypes(message: string): { actual?: string; wanted?: string } {
  const m = /interface conversion: .*? is (.+?), not (.+?)(?: \(|$)/.exec(message);
  if (m) return { actual: m[1] as string, wanted: m[2] as string };
  const nil = /interface conversion: .*? is nil, not (.+?)$/.exec(message);
  return nil ? { actual: 'nil', wanted: nil[1] as string } : {};
}
