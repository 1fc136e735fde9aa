/**
 * Refinements from the source, for classes where the stack shows the victim and the source
 * shows the cause: a non-owner closing a channel under its sender, a caller already holding a
 * non-reentrant lock, the unguarded side of a race, the caller that keeps memory a helper
 * allocated, who else closes a channel, who starts a leaking goroutine. Syntax only; each
 * refinement names the line it read, and changes nothing when the source does not say it plainly.
 */
import { shortFunction } from '../../core/go-names.js';
import type { CodeLocation, Evidence, FailureClass } from '../../core/model.js';
import { crashedGoroutine, createdByFrame, frameLocation, sameFunction } from '../evidence-view.js';
import type { SourceIndex } from '../ports.js';
import { closeTarget, type Located, sendTarget } from './facts.js';
import { body, callLine, escapeRe, grep, lockField, lockHeldAt } from './source-read.js';

const lineOf = async (src: SourceIndex, loc: CodeLocation) =>
  (await src.lines(loc.file))?.[loc.line - 1] ?? '';

/** Puts `first` at the head of the runners-up, without the blamed function. */
function promote(located: Located, ...first: CodeLocation[]): void {
  const rest = located.alternatives.filter((a) => !first.some((f) => sameFunction(f, a)));
  located.alternatives = [...first, ...rest].filter((a) => !sameFunction(a, located.primary));
}

/** Close sites of the channel the sender used, outside the sender's own function (an owner closing is fine). */
async function nonOwnerClosers(
  ev: Evidence,
  src: SourceIndex,
  sender: CodeLocation,
  channel: string,
): Promise<CodeLocation[]> {
  const out: CodeLocation[] = [];
  // The goroutine's creator handed it the channel: a close of that variable there closes it under the sender.
  const g = ev.failure ? crashedGoroutine(ev.failure) : undefined;
  const creator = g?.createdBy && (await frameLocation(createdByFrame(g.createdBy), src));
  if (creator) {
    const b = await body(src, creator);
    const goLine = await lineOf(src, creator);
    for (let n = b?.span.startLine ?? 1; b && n <= b.span.endLine; n++) {
      const v = /\bclose\(\s*([\w.]+)\s*\)/.exec(b.lines[n - 1] ?? '')?.[1];
      if (v && new RegExp(`\\b${escapeRe(v)}\\b`).test(goLine))
        out.push({ file: b.span.file, line: n, function: b.span.function });
    }
  }
  const field = channel.split('.').at(-1) ?? channel;
  for (const l of await grep(
    src,
    new RegExp(`\\bclose\\(\\s*(?:[\\w.\\]\\[]+\\.)?${escapeRe(field)}\\s*\\)`),
  )) {
    if (!out.some((o) => o.file === l.file && o.line === l.line)) out.push(l);
  }
  return out.filter((l) => !sameFunction(l, sender));
}

async function sendOnClosed(ev: Evidence, src: SourceIndex, located: Located): Promise<string | undefined> {
  const sender = located.primary;
  const channel = sendTarget(await lineOf(src, sender));
  if (!channel) return undefined;
  const [closer] = await nonOwnerClosers(ev, src, sender, channel);
  if (!closer) return undefined;
  const closed = closeTarget(await lineOf(src, closer)) ?? channel;
  located.primary = closer;
  located.facts.twist = { kind: 'closes-under-sender', at: closer, channel: closed };
  located.facts.other = sender;
  if (located.facts.goroutineId !== undefined) located.facts.otherGoroutineId = located.facts.goroutineId;
  located.directness = 0.85;
  promote(located, sender);
  return undefined;
}

async function closeOfClosed(src: SourceIndex, located: Located): Promise<string | undefined> {
  const channel = closeTarget(await lineOf(src, located.primary));
  if (!channel) return undefined;
  const field = channel.split('.').at(-1) ?? channel;
  const sites = (
    await grep(src, new RegExp(`\\bclose\\(\\s*(?:[\\w.\\]\\[]+\\.)?${escapeRe(field)}\\s*\\)`))
  ).filter((l) => !(l.file === located.primary.file && l.line === located.primary.line));
  if (sites.length === 0) return undefined;
  promote(located, ...sites);
  return `The source also closes ${channel} at ${sites.map((l) => `${shortFunction(l.function)} (${l.file}:${l.line})`).join(', ')}.`;
}

/** A Lock that waits on its own goroutine: a frame further out already holds the same lock. */
async function reentrantLock(src: SourceIndex, located: Located): Promise<string | undefined> {
  const stack = located.stack ?? [];
  const [waits, caller] = stack;
  const expr = /([\w.]+)\.R?Lock\(\)/.exec(waits ? await lineOf(src, waits) : '')?.[1];
  if (!waits || !caller || !expr) return undefined;
  for (const frame of stack.slice(1)) {
    const held = await lockHeldAt(src, frame, lockField(expr));
    if (!held) continue;
    // The fix belongs where the locking function is called with the lock already held.
    located.primary = caller;
    located.facts.twist = { kind: 'lock-held', at: held.at, lock: held.expr, waitsIn: waits };
    located.facts.caller = stack[2] ?? held.at;
    promote(located, waits, held.at);
    return undefined;
  }
  return undefined;
}

/** Of two racing accesses, the one outside any lock is the one to fix. */
async function unguardedSide(src: SourceIndex, located: Located): Promise<string | undefined> {
  const other = located.facts.other;
  if (!other) return undefined;
  const [mine, theirs] = await Promise.all([lockHeldAt(src, located.primary), lockHeldAt(src, other)]);
  if (mine && !theirs) {
    const f = located.facts;
    const guarded = located.primary;
    located.primary = other;
    f.other = guarded;
    const [g1, g2] = [f.otherGoroutineId, f.goroutineId];
    if (g1 === undefined) delete f.goroutineId;
    else f.goroutineId = g1;
    if (g2 === undefined) delete f.otherGoroutineId;
    else f.otherGoroutineId = g2;
    if (f.accessKinds) f.accessKinds = [f.accessKinds[1], f.accessKinds[0]];
    promote(located, guarded);
    return `${shortFunction(guarded.function)} holds ${mine.expr} (locked at ${mine.at.file}:${mine.at.line}); ${shortFunction(other.function)} touches the same memory without it.`;
  }
  if (theirs && !mine)
    return `${shortFunction(other.function)} holds ${theirs.expr} (locked at ${theirs.at.file}:${theirs.at.line}); ${shortFunction(located.primary.function)} does not.`;
  return undefined;
}

/** A helper that allocates and returns: the caller decides how long the memory lives. */
async function keptAllocation(src: SourceIndex, located: Located): Promise<string | undefined> {
  const alloc = located.primary;
  const b = await body(src, alloc);
  const v = /^\s*(\w+)(?:\s*,\s*\w+)?\s*:?=\s*(?:make|new|append)\(|^\s*(\w+)\s*:?=\s*&\w/.exec(
    await lineOf(src, alloc),
  );
  const name = v?.[1] ?? v?.[3];
  if (!b || !name) return undefined;
  const text = b.lines.slice(b.span.startLine - 1, b.span.endLine).join('\n');
  const returned = new RegExp(`\\breturn\\s+${name}\\b`).test(text);
  const stored = new RegExp(
    `(\\]\\s*=\\s*${name}\\b|\\.\\w+\\s*=\\s*${name}\\b|append\\([^,]+,\\s*${name}\\))`,
  ).test(text);
  if (!returned || stored) return undefined;
  const stack = located.growthStack ?? [];
  const at = stack.indexOf(alloc.function);
  for (const fn of stack.slice(at + 1)) {
    const call = await callLine(src, fn, alloc.function);
    if (!call) continue;
    const kept = /^\s*(\w+)(?:\s*,\s*\w+)?\s*:?=/.exec(await lineOf(src, call))?.[1];
    const handoff = kept === undefined ? undefined : await handoffLine(src, call, kept);
    // The fix belongs where the memory is handed to something that outlives the call, when the
    // caller plainly does that; else at the line that takes it.
    located.primary = handoff ?? call;
    located.facts.twist = {
      kind: 'keeps-allocation',
      at: call,
      allocator: alloc,
      ...(handoff === undefined ? {} : { handoff }),
    };
    promote(located, alloc);
    return undefined;
  }
  return undefined;
}

/** The first later line of `taken`'s function that passes `name` into a call (not a return): the handoff. */
async function handoffLine(
  src: SourceIndex,
  taken: CodeLocation,
  name: string,
): Promise<CodeLocation | undefined> {
  const b = await body(src, taken);
  if (!b) return undefined;
  const passes = new RegExp(`[\\w.]+\\([^)]*\\b${escapeRe(name)}\\b`);
  for (let n = taken.line + 1; n <= b.span.endLine; n++) {
    const line = b.lines[n - 1] ?? '';
    if (!/^\s*return\b/.test(line) && passes.test(line))
      return { file: b.span.file, line: n, function: b.span.function };
  }
  return undefined;
}

/** `go` statements that start the leaking function: where a context or done channel would be handed in. */
async function spawners(src: SourceIndex, located: Located): Promise<string | undefined> {
  const name = /(?:\.|\))([A-Za-z_]\w*)$/.exec(located.primary.function)?.[1];
  if (!name) return undefined;
  const sites = await grep(src, new RegExp(`\\bgo\\s+(?:[\\w.]+\\.)?${escapeRe(name)}\\(`), 4);
  if (sites.length === 0) return undefined;
  promote(located, ...sites);
  return `They are started by ${sites.map((l) => `\`go\` at ${l.file}:${l.line}`).join(', ')}, which gives them no way to stop.`;
}

/** Applies the refinement for the class, if any; returns a sentence for the mechanism when it adds one. */
export async function refine(
  cls: FailureClass,
  ev: Evidence,
  src: SourceIndex,
  located: Located,
): Promise<string | undefined> {
  switch (cls) {
    case 'send-on-closed':
      return sendOnClosed(ev, src, located);
    case 'closed-channel-close':
      return closeOfClosed(src, located);
    case 'deadlock':
      return located.facts.blockKind === 'mutex' || located.facts.blockKind === 'rwmutex'
        ? reentrantLock(src, located)
        : undefined;
    case 'race':
      return unguardedSide(src, located);
    case 'heap-leak':
    case 'oom':
      return keptAllocation(src, located);
    case 'goroutine-leak':
      return spawners(src, located);
    default:
      return undefined;
  }
}
