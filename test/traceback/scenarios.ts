// The corpus scenarios: which program to build and run how, and what failures its output must parse into.
import type { Failure, FailureClass } from '../../src/core/model.js';
import { httpScenarios, logScenarios, shipped } from './scenarios-streams.js';

/** How a program is built. Old toolchains come from the Go module proxy through GOTOOLCHAIN. */
export interface Build {
  id: string;
  module: 'shop' | 'logs';
  pkg: string;
  /** Extra `go build` flags. */
  flags: string[];
  cgo: boolean;
  trimpath: boolean;
  /** e.g. `go1.20.14`; the machine's Go when absent. */
  toolchain?: string;
  /** `go mod vendor` first and build with -mod=vendor. */
  vendor?: boolean;
  /** Build in GOPATH mode (GO111MODULE=off) from $GOPATH/src/<module path>. */
  gopath?: boolean;
}

export interface Expect {
  kind: Failure['kind'];
  class: FailureClass;
  /** The crashed goroutine's (or first access's) top application function, when there is one. */
  top?: string;
  /** A substring of the failure's message. */
  message?: string;
  recovered?: boolean;
}

export interface Scenario {
  name: string;
  build: string;
  args: string[];
  env?: Record<string, string>;
  /** Wrap the run in `shipper <format>`. */
  shipper?: string;
  /** Send SIGQUIT once the program prints `ready`. */
  sigquit?: boolean;
  /** Run under `prlimit --as=<bytes>`. */
  addressSpace?: number;
  expect: Expect[];
  note?: string;
}

const G = 'go1.26';
export const OLD_TOOLCHAINS = ['go1.17.13', 'go1.20.14', 'go1.24.11'];

export const BUILDS: Build[] = [
  { id: 'trimpath', module: 'shop', pkg: './cmd/crasher', flags: [], cgo: false, trimpath: true },
  { id: 'abs', module: 'shop', pkg: './cmd/crasher', flags: [], cgo: false, trimpath: false },
  { id: 'race', module: 'shop', pkg: './cmd/crasher', flags: ['-race'], cgo: true, trimpath: true },
  { id: 'cgo', module: 'shop', pkg: './cmd/crasher', flags: [], cgo: true, trimpath: true },
  {
    id: 'cgo-go1.20.14',
    module: 'shop',
    pkg: './cmd/crasher',
    flags: [],
    cgo: true,
    trimpath: true,
    toolchain: 'go1.20.14',
  },
  {
    id: 'gopath',
    module: 'shop',
    pkg: './cmd/crasher',
    flags: [],
    cgo: false,
    trimpath: false,
    gopath: true,
  },
  { id: 'web', module: 'shop', pkg: './cmd/web', flags: [], cgo: false, trimpath: true },
  { id: 'shipper', module: 'shop', pkg: './cmd/shipper', flags: [], cgo: false, trimpath: true },
  { id: 'logs', module: 'logs', pkg: '.', flags: [], cgo: false, trimpath: false },
  { id: 'logs-vendor', module: 'logs', pkg: '.', flags: [], cgo: false, trimpath: false, vendor: true },
  ...OLD_TOOLCHAINS.map((toolchain) => ({
    id: toolchain,
    module: 'shop' as const,
    pkg: './cmd/crasher',
    flags: [],
    cgo: false,
    trimpath: true,
    toolchain,
  })),
];

export const one = (kind: Expect['kind'], cls: FailureClass, top?: string, message?: string): Expect[] => [
  { kind, class: cls, ...(top === undefined ? {} : { top }), ...(message === undefined ? {} : { message }) },
];
export const CART = 'example.com/shop/internal/cart';
export const WORKER = 'example.com/shop/internal/worker';

/** Scenarios run by the crasher built `build`, with expectations that hold on every Go version. */
function crasher(build: string, prefix = ''): Scenario[] {
  const s = (name: string, expect: Expect[], more: Partial<Scenario> = {}): Scenario => ({
    name: `${prefix}${name}`,
    build,
    args: [name],
    expect,
    ...more,
  });
  return [
    s('nil-deref', one('panic', 'nil-deref', `${CART}.(*Cart).Total`, 'nil pointer dereference')),
    s(
      'nil-map-write',
      one('panic', 'nil-map-write', `${CART}.(*Cart).Add`, 'assignment to entry in nil map'),
    ),
    s('index-range', one('panic', 'index-range', `${CART}.(*Cart).At`, 'index out of range')),
    s('slice-range', one('panic', 'slice-range', `${CART}.(*Cart).Window`, 'slice bounds out of range')),
    s('close-closed', one('panic', 'closed-channel-close', 'main.closeAgain')),
    s('close-nil', one('panic', 'nil-channel-close', 'main.closeAgain')),
    s('send-on-closed', one('panic', 'send-on-closed', 'main.sendOnClosed')),
    s('type-assertion', one('panic', 'type-assertion', `${CART}.Describe`, 'interface conversion')),
    s('divide-by-zero', one('panic', 'divide-by-zero', `${CART}.(*Cart).Average`, 'divide by zero')),
    s('custom-sprintf', one('panic', 'custom-panic', 'main.customSprintf', 'order 42 has 120 lines')),
    s('custom-multiline', one('panic', 'custom-panic', undefined, 'price is negative')),
    s('custom-struct', one('panic', 'custom-panic')),
    s('custom-error', one('panic', 'custom-panic', undefined, 'out of stock')),
    s('recovered-chain', one('panic', 'custom-panic', 'main.recoveredChain', 'first failure')),
    s('repanic', one('panic', 'nil-map-write', 'main.repanic', 'assignment to entry in nil map')),
    s('panic-in-defer', one('panic', 'custom-panic', 'main.panicInDefer', 'first panic')),
    s('panic-after-goexit', one('panic', 'custom-panic', 'main.panicAfterGoexit.func1')),
    s('panic-in-goroutine', one('panic', 'index-range', `${CART}.(*Cart).At`)),
    s('concurrent-map-writes', one('fatal', 'concurrent-map-write', `${WORKER}.(*Counts).Hit`)),
    s('deadlock', one('fatal', 'deadlock', `${WORKER}.Wait`, 'all goroutines are asleep')),
    s('unlock-unlocked', one('fatal', 'unlock-of-unlocked', 'main.unlockUnlocked')),
    s('stack-overflow', one('fatal', 'stack-overflow', 'main.recurse', 'stack overflow')),
  ];
}

export const SCENARIOS: Scenario[] = [
  ...crasher('trimpath'),
  ...crasher('abs', 'abs-'),
  {
    name: 'gopath-nil-map-write',
    build: 'gopath',
    args: ['nil-map-write'],
    expect: one('panic', 'nil-map-write', `${CART}.(*Cart).Add`),
  },
  {
    name: 'gopath-deadlock',
    build: 'gopath',
    args: ['deadlock'],
    expect: one('fatal', 'deadlock', `${WORKER}.Wait`),
  },
  ...OLD_TOOLCHAINS.flatMap((t) => crasher(t, `${t}-`)),
  {
    name: 'concurrent-map-read-write',
    build: 'trimpath',
    args: ['concurrent-map-read-write'],
    expect: one('fatal', 'concurrent-map-write'),
  },
  {
    name: 'concurrent-map-iteration',
    build: 'trimpath',
    args: ['concurrent-map-iteration'],
    expect: one('fatal', 'concurrent-map-write'),
  },
  {
    name: 'deadlock-waitgroup',
    build: 'trimpath',
    args: ['deadlock-waitgroup'],
    expect: one('fatal', 'deadlock'),
  },
  {
    name: 'goexit',
    build: 'trimpath',
    args: ['goexit'],
    expect: one('fatal', 'deadlock', undefined, 'Goexit'),
  },
  {
    name: 'error-panics',
    build: 'trimpath',
    args: ['error-panics'],
    expect: one('fatal', 'fatal-error', undefined, 'panic while printing panic value'),
    note: `Go ${G}: a panic value whose Error method panics is a fatal error`,
  },
  { name: 'custom-int', build: 'trimpath', args: ['custom-int'], expect: one('panic', 'custom-panic') },
  { name: 'generic-pop', build: 'trimpath', args: ['generic-pop'], expect: one('panic', 'index-range') },
  {
    name: 'runlock-unlocked',
    build: 'trimpath',
    args: ['runlock-unlocked'],
    expect: one('fatal', 'unlock-of-unlocked'),
  },
  {
    name: 'negative-waitgroup',
    build: 'trimpath',
    args: ['negative-waitgroup'],
    expect: one('panic', 'custom-panic', 'main.negativeWaitGroup', 'negative WaitGroup counter'),
  },
  {
    name: 'out-of-memory',
    build: 'trimpath',
    args: ['out-of-memory'],
    addressSpace: 1 << 30,
    expect: one('fatal', 'oom', 'main.outOfMemory', 'out of memory'),
  },
  {
    name: 'cgo-segfault',
    build: 'cgo',
    args: ['unexpected-signal'],
    expect: one('signal', 'unknown', 'main.crashInC', 'SIGSEGV'),
    note: 'Go 1.26 reports a fault in C code as a signal dump (`signal arrived during cgo execution`)',
  },
  {
    name: 'go1.20.14-unexpected-signal',
    build: 'cgo-go1.20.14',
    args: ['unexpected-signal'],
    expect: one('fatal', 'fatal-error', 'main.crashInC', 'unexpected signal during runtime execution'),
    note: 'before Go 1.21 a fault in C code was `fatal error: unexpected signal during runtime execution`',
  },
  {
    name: 'panic-during-panic',
    build: 'trimpath',
    args: ['panic-during-panic'],
    expect: one('fatal', 'fatal-error', 'main.panicDuringPanic', 'panic during panic'),
    note: 'printing the panic value faults: the runtime prints `panic during panic` and a signal dump',
  },
  {
    name: 'custom-throw',
    build: 'trimpath',
    args: ['custom-throw'],
    expect: one('fatal', 'fatal-error', 'main.customThrow', 'ledger invariant violated'),
  },
  {
    name: 'all-goroutines',
    build: 'trimpath',
    args: ['panic-all-goroutines'],
    env: { GOTRACEBACK: 'all' },
    expect: one('panic', 'nil-deref', `${CART}.(*Cart).Add`),
  },
  {
    name: 'system-goroutines',
    build: 'trimpath',
    args: ['panic-all-goroutines'],
    env: { GOTRACEBACK: 'system' },
    expect: one('panic', 'nil-deref', `${CART}.(*Cart).Add`),
  },
  {
    name: 'crash-goroutines',
    build: 'trimpath',
    args: ['panic-all-goroutines'],
    env: { GOTRACEBACK: 'crash' },
    expect: one('panic', 'nil-deref', `${CART}.(*Cart).Add`),
  },
  {
    name: 'all-goroutines-abs',
    build: 'abs',
    args: ['panic-all-goroutines'],
    env: { GOTRACEBACK: 'all' },
    expect: one('panic', 'nil-deref', `${CART}.(*Cart).Add`),
  },
  {
    name: 'all-goroutines-nopreempt',
    build: 'trimpath',
    args: ['panic-all-goroutines'],
    env: { GOTRACEBACK: 'all', GODEBUG: 'asyncpreemptoff=1' },
    expect: one('panic', 'nil-deref', `${CART}.(*Cart).Add`),
    note: 'without async preemption the spinning goroutine stays running: `stack unavailable`',
  },
  {
    name: 'pool',
    build: 'trimpath',
    args: ['pool'],
    env: { GOTRACEBACK: 'all' },
    expect: one('panic', 'custom-panic', 'main.pool', 'pool exhausted'),
    note: '20 goroutines with one stack and distinct pointers, 10 with one stack and two values',
  },
  { name: 'sigquit', build: 'trimpath', args: ['sigquit'], sigquit: true, expect: one('dump', 'unknown') },
  {
    name: 'sigquit-crash',
    build: 'trimpath',
    args: ['sigquit'],
    env: { GOTRACEBACK: 'crash' },
    sigquit: true,
    expect: one('dump', 'unknown'),
  },
  {
    name: 'sigquit-minutes',
    build: 'trimpath',
    args: ['sigquit', '61s'],
    sigquit: true,
    expect: one('dump', 'unknown'),
    note: 'waits 61 s so blocked goroutines print `N minutes`',
  },
  {
    name: 'race',
    build: 'race',
    args: ['race'],
    expect: [{ kind: 'race', class: 'race', top: `${WORKER}.(*Counts).Inc` }],
  },
  {
    name: 'race-many',
    build: 'race',
    args: ['race-many'],
    expect: [
      { kind: 'race', class: 'race' },
      { kind: 'race', class: 'race' },
      { kind: 'race', class: 'race' },
    ],
  },
  {
    name: 'race-then-panic',
    build: 'race',
    args: ['race-then-panic'],
    expect: [{ kind: 'race', class: 'race' }, ...one('panic', 'nil-deref', `${CART}.(*Cart).Add`)],
  },
  {
    name: 'noisy-panic',
    build: 'trimpath',
    args: ['noisy-panic'],
    expect: one('panic', 'nil-map-write'),
    note: 'other goroutines log while the runtime prints the trace',
  },
  ...httpScenarios(),
  ...logScenarios(),
  ...shipped(),
];
