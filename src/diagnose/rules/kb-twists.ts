/**
 * Explanations for the diagnoses a source refinement moved (rules/refine.ts): the blame is not
 * the frame that failed but the code that set it up, and the text says both, with their lines.
 */
import type { Facts } from './facts.js';
import { at, fn, growthText, place, quoted, stmt, who } from './words.js';

export interface Explanation {
  summary: string;
  mechanism: string;
  counterfactual: string;
}

export function twistText(f: Facts): Explanation | undefined {
  const t = f.twist;
  if (!t) return undefined;
  switch (t.kind) {
    case 'closes-under-sender': {
      const sender = f.other;
      const sends = sender
        ? `${fn(sender)} still sends on it (${at(sender)})`
        : 'its sender is still running';
      return {
        summary: `${fn(f.blamed)} closes ${t.channel} at ${at(f.blamed)} while ${sends}.`,
        mechanism:
          `${place(f.blamed)} runs ${stmt(f)}, closing a channel it does not own: ` +
          `${sender ? `goroutine ${f.otherGoroutineId ?? '?'} in ${place(sender)}` : 'the sending goroutine'} keeps sending on it, ` +
          `and a send on a closed channel panics (${quoted(f.message)}).`,
        counterfactual:
          `If ${fn(f.blamed)} did not close ${t.channel} at ${at(f.blamed)} but left that to its sender${sender ? ` ${fn(sender)}` : ''} and asked it to stop ` +
          `through a done channel or context of its own, the send${sender ? ` at ${at(sender)}` : ''} would not panic.`,
      };
    }
    case 'lock-held':
      return {
        summary:
          `${fn(f.blamed)} calls ${fn(t.waitsIn)} at ${at(f.blamed)} with ${t.lock} held (locked at ${at(t.at)}), ` +
          `and ${fn(t.waitsIn)} locks it again.`,
        mechanism:
          `All goroutines were asleep. ${fn(t.at)} locks ${t.lock} at ${at(t.at)}; while it is held, ` +
          `${place(f.blamed)} calls ${fn(t.waitsIn)}, which locks ${t.lock} again at ${at(t.waitsIn)}. sync.Mutex is ` +
          `not reentrant, so ${who(f)} waits for itself (${quoted(f.message)}).`,
        counterfactual:
          `If ${fn(f.blamed)} did not call ${fn(t.waitsIn)} at ${at(f.blamed)} while holding ${t.lock} (calling a variant that expects the ` +
          `lock held, or releasing it first), the Lock at ${at(t.waitsIn)} would not wait and ${who(f)} would not deadlock.`,
      };
    case 'keeps-allocation':
      return {
        summary: `${fn(f.blamed)} keeps memory that ${fn(t.allocator)} allocates at ${at(t.allocator)}, and the heap keeps growing.`,
        mechanism:
          `${f.growth ? `${growthText(f)}. ` : ''}${place(t.allocator)} only allocates and returns the memory; ` +
          (t.handoff
            ? `${place(t.at)} takes it and ${stmt(f)} (${at(t.handoff)}) hands it to something longer-lived that is not released on every path.`
            : `${place(f.blamed)} takes it at ${stmt(f)} and hands it to something longer-lived that is not released on every path.`),
        counterfactual:
          `If ${fn(f.blamed)} released what it takes at ${at(f.blamed)} on every path (errors included), the heap held ` +
          `by the stack through ${fn(t.allocator)} would stay flat.`,
      };
  }
}
