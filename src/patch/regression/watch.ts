/**
 * Go code for regression tests of failures that do not panic: a deadlock (the goroutines the call
 * started are all blocked on locks and channels), a goroutine leak (goroutines the calls started
 * are still blocked once everything else has settled) and retained memory (a package counter
 * that keeps growing). Nothing waits on the clock: goroutine states are read from one
 * stop-the-world snapshot (runtime.Stack), polled with runtime.Gosched until they settle.
 */

/** Closures every watching test declares: a snapshot of goroutines by id, their state, and whether that state only changes when another goroutine acts. */
const HELPERS = [
  '// snapshot reads every goroutine at one instant (runtime.Stack stops the world): id -> stack.',
  'snapshot := func() map[string]string {',
  '\tbuf := make([]byte, 1<<16)',
  '\tfor {',
  '\t\tn := runtime.Stack(buf, true)',
  '\t\tif n < len(buf) {',
  '\t\t\tbuf = buf[:n]',
  '\t\t\tbreak',
  '\t\t}',
  '\t\tbuf = make([]byte, 2*len(buf))',
  '\t}',
  '\tout := map[string]string{}',
  '\tfor _, block := range strings.Split(string(buf), "\\n\\n") {',
  '\t\tif rest, ok := strings.CutPrefix(block, "goroutine "); ok {',
  '\t\t\tid, _, _ := strings.Cut(rest, " ")',
  '\t\t\tout[id] = block',
  '\t\t}',
  '\t}',
  '\treturn out',
  '}',
  '// asleep: parked until another goroutine unlocks, sends, receives or closes (not sleeping, not running).',
  'asleep := func(block string) bool {',
  '\tstate, _, _ := strings.Cut(block[strings.Index(block, "[")+1:], "]")',
  '\tstate, _, _ = strings.Cut(state, ",")',
  '\tfor _, s := range []string{"sync.", "semacquire", "chan send", "chan receive", "select"} {',
  '\t\tif strings.HasPrefix(state, s) {',
  '\t\t\treturn true',
  '\t\t}',
  '\t}',
  '\treturn false',
  '}',
  '// started lists the goroutines not in base; settled is false while one of them can still run.',
  'started := func(base map[string]string) (blocks []string, settled bool) {',
  '\tfor id, block := range snapshot() {',
  '\t\tif _, old := base[id]; old {',
  '\t\t\tcontinue',
  '\t\t}',
  '\t\tif !asleep(block) {',
  '\t\t\treturn nil, false',
  '\t\t}',
  '\t\tblocks = append(blocks, block)',
  '\t}',
  '\treturn blocks, true',
  '}',
];

/** Yields to other goroutines between polls; after a while also gives the CPU back (a poll interval, not a deadline). */
const YIELD = ['runtime.Gosched()', 'if polls > 1000 {', '\ttime.Sleep(time.Millisecond)', '}'];

export const WATCH_IMPORTS = ['runtime', 'strings', 'time'];
/** The deadlock watchdog also writes the runtime's report and exits as the runtime does. */
export const DEADLOCK_IMPORTS = ['fmt', 'os'];

const indent = (lines: string[]) => lines.map((l) => `\t${l}`);

/**
 * Runs `call` in a goroutine; passes when it returns, and fails the incident's way when every
 * goroutine it started is parked on a lock or channel with none left to wake them: the state the
 * runtime reports as `fatal error: all goroutines are asleep - deadlock!` (exit status 2). Inside a
 * test the runtime cannot see it (the framework's own goroutines and timeout timer stay alive), so
 * the watchdog reports the same state in the same words, with the blocked goroutines' stacks.
 */
export function deadlockWatch(call: string[], entry: string): string[] {
  return [
    ...HELPERS,
    'base := snapshot()',
    'done := make(chan struct{})',
    'go func() {',
    '\tdefer close(done)',
    ...indent(call),
    '}()',
    'for polls := 0; ; polls++ {',
    '\tselect {',
    '\tcase <-done:',
    '\t\treturn',
    '\tdefault:',
    '\t}',
    '\tif blocks, settled := started(base); settled && len(blocks) > 0 && strings.Contains(strings.Join(blocks, "\\n"), "[sync.") {',
    `\t\t// Every goroutine ${entry} started waits on a lock or channel that nothing can release.`,
    '\t\tfmt.Fprintf(os.Stderr, "fatal error: all goroutines are asleep - deadlock!\\n\\n%s\\n", strings.Join(blocks, "\\n\\n"))',
    '\t\tos.Exit(2)',
    '\t}',
    ...indent(YIELD),
    '}',
  ];
}

/**
 * Calls `call` `calls` times, lets every goroutine the calls started finish or block, and fails
 * when about one per call is still blocked: they can never exit.
 */
export function goroutineLeakWatch(call: string[], calls: number, entry: string): string[] {
  return [
    ...HELPERS,
    'base := snapshot()',
    `for i := 0; i < ${calls}; i++ {`,
    ...indent(call),
    '}',
    'var leaked []string',
    'for polls := 0; ; polls++ {',
    '\tblocks, settled := started(base)',
    '\tif settled {',
    '\t\tleaked = blocks',
    '\t\tbreak',
    '\t}',
    ...indent(YIELD),
    '}',
    `if len(leaked) >= ${Math.ceil(calls / 2)} {`,
    `\tt.Fatalf("goroutine leak: %d goroutines started by ${calls} calls of ${entry} are still blocked after it returned, with nothing left to unblock them:\\n\\n%s", len(leaked), strings.Join(leaked, "\\n\\n"))`,
    '}',
  ];
}

/** Calls `call` `calls` times and fails when `counter` (what the package still holds) grew by about one per call. */
export function retainedWatch(call: string[], calls: number, counter: string, entry: string): string[] {
  return [
    `before := ${counter}`,
    `for i := 0; i < ${calls}; i++ {`,
    ...indent(call),
    '}',
    `if after := ${counter}; after-before >= ${Math.ceil(calls / 2)} {`,
    `\tt.Fatalf("memory leak: ${counter.replace(/"/g, '\\"')} grew from %d to %d over ${calls} calls of ${entry}: each call retains what it acquired", before, after)`,
    '}',
  ];
}
