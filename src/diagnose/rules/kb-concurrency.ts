/** Knowledge-base entries for concurrency and resource failures: races, map writes, deadlocks, leaks, unlocks. */
import { mapTarget } from './facts.js';
import type { ClassRule } from './kb.js';
import { at, calledFrom, fn, growthText, place, plural, quoted, stmt, Who, who } from './words.js';

export const concurrentMap: ClassRule = {
  title: 'concurrent map writes',
  locators: ['map-writers', 'crash'],
  strategies: () => ['add-mutex', 'channel-ownership'],
  confidence: 0.8,
  summary: (f) =>
    `${fn(f.blamed)} writes ${mapTarget(f.code) ?? 'a map'} at ${at(f.blamed)} without synchronisation while another goroutine uses it.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} while ` +
    `${f.other ? `goroutine ${f.otherGoroutineId} was in ${place(f.other)}` : 'another goroutine was writing the same map'}; ` +
    `Go maps are not safe for concurrent use and the runtime's check stopped the program (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If every access to ${mapTarget(f.code) ?? 'the map'} held one mutex (or one goroutine owned it), the write at ` +
    `${at(f.blamed)} could not overlap another and the runtime would not abort.`,
};

export const dataRace: ClassRule = {
  title: 'data race',
  locators: ['race'],
  strategies: () => ['add-mutex', 'channel-ownership'],
  confidence: 0.85,
  summary: (f) =>
    `${fn(f.blamed)} at ${at(f.blamed)} accesses shared memory without synchronisation` +
    `${f.other ? `, racing with ${fn(f.other)} at ${at(f.other)}` : ''}.`,
  mechanism: (f) => {
    const [mine, theirs] = f.accessKinds ?? ['write', 'access'];
    return (
      `The race detector saw a ${mine} by ${who(f)} in ${place(f.blamed)}${calledFrom(f)}` +
      `${f.other ? ` and a ${theirs} by goroutine ${f.otherGoroutineId} in ${place(f.other)}` : ''} of the same memory, ` +
      `with no lock or channel ordering them${f.count && f.count > 1 ? ` (${plural(f.count, 'race report')})` : ''}.`
    );
  },
  counterfactual: (f) =>
    `If ${fn(f.blamed)}${f.other ? ` and ${fn(f.other)}` : ''} held the same mutex around the shared field, the accesses at ` +
    `${at(f.blamed)}${f.other ? ` and ${at(f.other)}` : ''} would be ordered and the race detector would report nothing.`,
};

export const deadlock: ClassRule = {
  title: 'deadlock',
  locators: ['deadlock', 'crash'],
  strategies: (f) =>
    f.blockKind === 'mutex' || f.blockKind === 'rwmutex'
      ? ['lock-ordering', 'other']
      : f.blockKind === 'channel' || f.blockKind === 'select'
        ? ['channel-ownership', 'context-cancel']
        : ['other', 'context-cancel'],
  confidence: 0.7,
  summary: (f) =>
    `${fn(f.blamed)} blocks forever on a ${f.blockKind ?? 'synchronisation'} operation at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `All goroutines were asleep. ${Who(f)} waits at ${stmt(f)} (${f.goroutineState ?? 'blocked'}) in ` +
    `${place(f.blamed)}${calledFrom(f)}${f.count && f.count > 1 ? `, one of ${plural(f.count, 'goroutine')} blocked the same way` : ''}` +
    `${f.other ? `; goroutine ${f.otherGoroutineId} waits in ${place(f.other)}` : ''}. Nothing left running can ` +
    `release what they wait for, so the runtime stopped the program (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If whatever ${fn(f.blamed)} waits for at ${at(f.blamed)} were released on every path (the lock unlocked, ` +
    `the channel sent to or closed, the counter done) or acquired in one order, ${who(f)} would proceed and the program would not deadlock.`,
};

export const goroutineLeak: ClassRule = {
  title: 'goroutine leak',
  locators: ['leak'],
  strategies: () => ['context-cancel', 'channel-ownership'],
  confidence: 0.7,
  summary: (f) => `Goroutines pile up parked in ${fn(f.blamed)} at ${at(f.blamed)} and never exit.`,
  mechanism: (f) =>
    `${f.growth ? `${growthText(f)}; ` : ''}${f.count ? `${plural(f.count, 'goroutine')} ` : 'goroutines '}` +
    `sit in ${place(f.blamed)}${f.goroutineState ? ` (${f.goroutineState})` : ''} waiting at ${stmt(f)} for a value or ` +
    `signal that never comes, and nothing tells them to stop.`,
  counterfactual: (f) =>
    `If the wait at ${at(f.blamed)} also selected on a cancelled context or done channel, each goroutine in ` +
    `${fn(f.blamed)} would return and the count would stay flat.`,
};

export const heapLeak: ClassRule = {
  title: 'unbounded heap growth',
  locators: ['heap'],
  strategies: () => ['bound-growth', 'other'],
  confidence: 0.65,
  summary: (f) => `Memory allocated in ${fn(f.blamed)} at ${at(f.blamed)} is retained and keeps growing.`,
  mechanism: (f) =>
    `${f.growth ? `${growthText(f)}. ` : ''}${place(f.blamed)} allocates at ${stmt(f)} into a structure that is only ` +
    `ever added to, so the garbage collector cannot free it and the heap grows with traffic.`,
  counterfactual: (f) =>
    `If what ${fn(f.blamed)} stores at ${at(f.blamed)} were bounded (evicted, capped or released when done), the heap ` +
    `held by this stack would stay flat.`,
};

export const unlockUnlocked: ClassRule = {
  title: 'unlock of an unlocked mutex',
  locators: ['crash'],
  strategies: () => ['lock-ordering', 'other'],
  confidence: 0.75,
  summary: (f) => `${fn(f.blamed)} unlocks a mutex it does not hold, at ${at(f.blamed)}.`,
  mechanism: (f) =>
    `${Who(f)} ran ${stmt(f)} in ${place(f.blamed)}${calledFrom(f)} when the mutex was not locked (unlocked twice, ` +
    `or on a path that never locked it); the runtime treats this as fatal (${quoted(f.message)}).`,
  counterfactual: (f) =>
    `If every Unlock in ${fn(f.blamed)} were paired with exactly one Lock on the same path (e.g. Lock then defer Unlock), ` +
    `${at(f.blamed)} would not abort the program.`,
};
