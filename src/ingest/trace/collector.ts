/**
 * The eBPF collector: attaches CO-RE uprobes (bpf/medic.bpf.c, through the native/ addon) to a Go
 * binary and streams TraceEvents (core/model/trace.ts) for panics, goroutine creation, GC starts
 * and user functions. Without the addon, BTF or privilege it throws "eBPF unavailable: <reason>".
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BpfSession } from '../../../native/index.js';
import { IngestError, InputError, MedicError } from '../../core/errors.js';
import type { TraceEvent, TraceProbe } from '../../core/model/trace.js';
import { processBias } from './collector-bias.js';
import { decodeBatch, EVENT_KIND, encodeConfig, type RawEvent } from './collector-decode.js';
import { EventBuilder } from './collector-events.js';
import { GoInspector, type InspectInfo } from './collector-inspect.js';
import { loadAddon } from './collector-native.js';
import { checkOwnPrivilege } from './collector-privilege.js';

export type RuntimeProbe = Exclude<TraceProbe, 'user-function'>;
export const RUNTIME_PROBES: readonly RuntimeProbe[] = ['panic', 'goroutine-create', 'gc-start'];
/**
 * The probes on when none is named: functions a healthy service rarely calls. Every uprobe hit
 * traps into the kernel (microseconds), and net/http starts a goroutine per request, so
 * goroutine-create costs a busy HTTP service about 40 % of its throughput (`npm run bench:ebpf`):
 * it is on only when asked for.
 */
export const DEFAULT_PROBES: readonly RuntimeProbe[] = ['panic', 'gc-start'];

const PROGRAMS: Record<RuntimeProbe, { program: string; symbol: string; kind: number }> = {
  panic: { program: 'uprobe_gopanic', symbol: 'runtime.gopanic', kind: EVENT_KIND.panic },
  'goroutine-create': {
    program: 'uprobe_newproc1',
    symbol: 'runtime.newproc1',
    kind: EVENT_KIND.goroutineCreate,
  },
  'gc-start': { program: 'uprobe_gcstart', symbol: 'runtime.gcStart', kind: EVENT_KIND.gcStart },
};

export interface CollectorOptions {
  /** The Go binary to probe. */
  binary: string;
  /** Only this process (its load bias is checked against /proc/PID/maps). Default: every process of the binary. */
  pid?: number;
  /** Runtime probes to attach. Default: DEFAULT_PROBES (panic, gc-start). */
  runtimeProbes?: readonly RuntimeProbe[];
  /** User functions, named as the Go runtime prints them (main.handle, pkg.(*T).M). */
  userFunctions?: readonly string[];
  /** Capture full user stacks for user-function events (costs a little per hit). Default true. */
  userStacks?: boolean;
  /**
   * Probe first instructions instead of function bodies. Only for showing, in tests and benchmarks,
   * the double hits that morestack re-entry causes there. Default false.
   */
  entryProbes?: boolean;
  /** Called for every event, in ring-buffer order. */
  onEvent: (event: TraceEvent) => void;
  goBinary?: string;
}

export interface CollectorStats {
  counts: Record<TraceProbe, number>;
  /** Events the kernel could not queue (ring buffer full). */
  drops: number;
  /** Probe hits counted kernel-side. */
  hits: number;
}

export interface Collector {
  goVersion: string;
  pie: boolean;
  stats(): CollectorStats;
  /** Stops the probes, delivers every buffered event to onEvent, destroys the links. Idempotent. */
  stop(): Promise<CollectorStats>;
}

/** Whether the collector can run here, and why not. Never throws. */
export function ebpfAvailability(): { ok: true } | { ok: false; reason: string } {
  const addon = loadAddon();
  if (!addon.ok) return addon;
  const privilege = checkOwnPrivilege();
  return privilege.ok ? { ok: true } : { ok: false, reason: privilege.reason ?? 'missing privilege' };
}

function unavailable(reason: string): MedicError {
  return new MedicError('MEDIC_ERR_INGEST_TRACE_UNAVAILABLE', `eBPF unavailable: ${reason}`);
}

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const addon = loadAddon();
  if (!addon.ok) throw unavailable(addon.reason);
  const privilege = checkOwnPrivilege();
  if (!privilege.ok) {
    throw new MedicError('MEDIC_ERR_INGEST_TRACE_PRIVILEGE', `eBPF unavailable: ${privilege.reason}`, {
      details: { missing: privilege.missing },
    });
  }
  const binary = resolve(options.binary);
  if (!existsSync(binary))
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `binary ${options.binary} does not exist`);
  if (options.pid !== undefined && !existsSync(`/proc/${options.pid}`)) {
    throw new IngestError('MEDIC_ERR_INGEST_TRACE_PID', `no process ${options.pid} is running`);
  }
  const inspector = await GoInspector.open(binary, options.goBinary);
  try {
    return await attach(options, binary, inspector, addon.addon.BpfSession, addon.objectPath);
  } catch (error) {
    inspector.close();
    throw error;
  }
}

async function attach(
  options: CollectorOptions,
  binary: string,
  inspector: GoInspector,
  Session: typeof BpfSession,
  objectPath: string,
): Promise<Collector> {
  const { info } = inspector;
  if (options.pid !== undefined && processBias(options.pid, binary, info.segments) === undefined) {
    throw new IngestError(
      'MEDIC_ERR_INGEST_TRACE_PID',
      `process ${options.pid} does not run ${binary} (or has already exited)`,
    );
  }
  const userFunctions = [...(options.userFunctions ?? [])];
  const { found, missing } = await inspector.lookup(userFunctions);
  const [firstMissing, similar] = Object.entries(missing)[0] ?? [];
  if (firstMissing !== undefined) {
    const hint = similar && similar.length > 0 ? `; similar: ${similar.join(', ')}` : '';
    throw new IngestError(
      'MEDIC_ERR_INGEST_TRACE_SYMBOL',
      `${binary} has no function ${firstMissing}${hint}`,
      {
        details: { missing },
      },
    );
  }
  const sym = (name: string) => info.symbols[name] ?? 0;
  const entry = options.entryProbes === true;
  const bodyOffset = (name: string) => (entry ? 0 : (info.probeOffsets[name] ?? 0));
  const runtimeProbes = options.runtimeProbes ?? DEFAULT_PROBES;

  const session = kernelCall(() => new Session(objectPath));
  const kindAddress: Record<number, number> = {};
  try {
    kernelCall(() => session.load());
    const config = probeConfig(info, bodyOffset('runtime.newproc1'), options.userStacks ?? true);
    kernelCall(() => session.updateMap('medic_config', Buffer.alloc(4), config));
    const pid = options.pid ?? -1;
    for (const probe of runtimeProbes) {
      const p = PROGRAMS[probe];
      const offset = bodyOffset(p.symbol);
      kindAddress[p.kind] = sym(p.symbol) + offset;
      kernelCall(() => session.attachUprobe({ program: p.program, binary, symbol: p.symbol, offset, pid }));
    }
    userFunctions.forEach((symbol, cookie) => {
      const offset = entry ? 0 : (found[symbol]?.offset ?? 0);
      kernelCall(() => session.attachUprobe({ program: 'uprobe_user', binary, symbol, offset, pid, cookie }));
    });
  } catch (error) {
    session.close();
    throw error;
  }

  const builder = new EventBuilder(
    inspector,
    (kind, cookie) => {
      if (kind !== EVENT_KIND.user) return kindAddress[kind];
      const fn = found[userFunctions[cookie] ?? ''];
      return fn === undefined ? undefined : fn.addr + (entry ? 0 : fn.offset);
    },
    userFunctions,
  );
  const counts: Record<TraceProbe, number> = {
    panic: 0,
    'goroutine-create': 0,
    'gc-start': 0,
    'user-function': 0,
  };
  // Batches are processed strictly in order; symbolizing is asynchronous, so they are chained.
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const handle = async (raws: RawEvent[]) => {
    for (const event of await builder.build(raws)) {
      counts[event.probe]++;
      options.onEvent(event);
    }
  };
  session.start((batch) => {
    const raws = decodeBatch(batch);
    chain = chain
      .then(() => handle(raws))
      .catch((error: unknown) => {
        failure ??= error;
      });
  });

  const stats = (): CollectorStats => {
    const s = session.stats();
    return { counts: { ...counts }, drops: s.drops, hits: s.hits };
  };
  let stopping: Promise<CollectorStats> | undefined;
  const stop = async (): Promise<CollectorStats> => {
    await session.stop();
    await chain;
    const final = stats();
    session.close();
    inspector.close();
    if (failure !== undefined) throw failure;
    return final;
  };
  return {
    goVersion: info.goVersion,
    pie: info.pie,
    stats,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** The medic_config record for a binary: DWARF offsets and link-time addresses (bpf/medic.h). */
export function probeConfig(info: InspectInfo, newproc1Offset: number, stacks: boolean): Buffer {
  const off = (name: string) => info.offsets[name] ?? 0;
  const sym = (name: string) => info.symbols[name] ?? 0;
  return encodeConfig({
    goidOff: off('gGoid'),
    gMOff: off('gM'),
    mPOff: off('mP'),
    pGoidcacheOff: off('pGoidcache'),
    pGoidcacheendOff: off('pGoidcacheend'),
    goidgenVaddr: sym('runtime.sched') + off('schedGoidgen'),
    newproc1Vaddr: sym('runtime.newproc1') + newproc1Offset,
    stacks,
    gParentGoidOff: off('gParentGoid'),
    gSchedBpOff:
      info.offsets.gSched === undefined || info.offsets.gobufBp === undefined
        ? 0
        : off('gSched') + off('gobufBp'),
  });
}

/** Addon calls: errno EPERM/EACCES means privilege, anything else the kernel's refusal with libbpf's log. */
function kernelCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    const message = (error as Error).message;
    if (errno === 1 || errno === 13) {
      throw new MedicError('MEDIC_ERR_INGEST_TRACE_PRIVILEGE', `eBPF unavailable: ${message}`, {
        cause: error,
      });
    }
    throw new MedicError('MEDIC_ERR_INGEST_TRACE_ATTACH', message, { cause: error });
  }
}
