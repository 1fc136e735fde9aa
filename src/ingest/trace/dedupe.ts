/** Orders trace events by time and drops duplicate uprobe hits (same probe, thread, goroutine and stack pointer). */
import type { TraceEvent } from '../../core/model.js';

export interface DedupeResult {
  events: TraceEvent[];
  removed: number;
}

/** Default window for duplicate hits: the kernel's double fire lands within microseconds. */
export const DUPLICATE_WINDOW_NS = 1_000_000;

/**
 * An entry uprobe can fire twice for one call (see issue 12). Two events are one hit when
 * probe, tid, goroutine, stack pointer and function agree and the second is within
 * `windowNs` of the first kept one. Events without a stack pointer are never merged: a
 * real second call cannot be told apart from a duplicate without it.
 */
export function dedupeEvents(events: readonly TraceEvent[], windowNs = DUPLICATE_WINDOW_NS): DedupeResult {
  // Ring buffers from several CPUs interleave; a stable sort keeps same-time events in file order.
  const sorted = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.timeNs - b.event.timeNs || a.index - b.index)
    .map((e) => e.event);
  const lastKept = new Map<string, number>();
  const kept: TraceEvent[] = [];
  for (const event of sorted) {
    if (event.sp === undefined) {
      kept.push(event);
      continue;
    }
    const key = `${event.probe}|${event.tid}|${event.goid}|${event.sp}|${event.function ?? ''}`;
    const last = lastKept.get(key);
    if (last !== undefined && event.timeNs - last <= windowNs) continue;
    lastKept.set(key, event.timeNs);
    kept.push(event);
  }
  return { events: kept, removed: sorted.length - kept.length };
}
