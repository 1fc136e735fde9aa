/** Recording a trace to a file: the collector's events as NDJSON (one TraceEvent a line), flushed on stop. */
import { once } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, MedicError } from '../../core/errors.js';
import {
  TRACE_EVENT_VERSION,
  type TraceEvent,
  type TraceFrame,
  type TraceHeader,
  type TraceProbe,
} from '../../core/model/trace.js';
import {
  type Collector,
  type CollectorOptions,
  type CollectorStats,
  DEFAULT_PROBES,
  RUNTIME_PROBES,
  type RuntimeProbe,
  startCollector,
} from './collector.js';

export interface RecordingSummary extends CollectorStats {
  out: string;
  events: number;
  durationMs: number;
}

export interface TraceRecording {
  collector: Collector;
  stats(): CollectorStats & { events: number };
  /** Stops the probes, writes every buffered event, closes the file. Idempotent. */
  stop(): Promise<RecordingSummary>;
}

/**
 * Starts the collector and streams its events into `out`. The file is created (or truncated) only
 * once the probes are attached, so a failed start leaves an existing file as it was.
 */
export async function recordTrace(
  options: Omit<CollectorOptions, 'onEvent'> & { out: string },
): Promise<TraceRecording> {
  const outDir = dirname(resolve(options.out));
  if (!existsSync(outDir))
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `directory ${outDir} does not exist`);
  let file: WriteStream | undefined;
  // Lines are gathered and written once per turn of the event loop: one write per event costs
  // more than the rest of the pipeline at high rates.
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (file === undefined || pending.length === 0) return;
    file.write(pending.join(''));
    pending = [];
  };
  let events = 0;
  const started = performance.now();
  const startNs = Number(process.hrtime.bigint()); // CLOCK_MONOTONIC on Linux, as bpf_ktime_get_ns
  const startedAt = new Date().toISOString();
  const collector = await startCollector({
    ...options,
    onEvent: (event) => {
      events++;
      pending.push(eventLine(event));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  });
  const stream = createWriteStream(options.out, { flags: 'w' });
  // A write error (disk full, file removed) is reported by stop(), after the probes are detached.
  let writeError: Error | undefined;
  stream.on('error', (error) => {
    writeError ??= error;
  });
  file = stream;
  const header: TraceHeader = {
    v: TRACE_EVENT_VERSION,
    kind: 'header',
    source: 'collector',
    generated: false,
    binary: resolve(options.binary),
    ...(options.pid === undefined ? {} : { pid: options.pid }),
    goVersion: collector.goVersion,
    probes: [
      ...(options.runtimeProbes ?? DEFAULT_PROBES),
      ...(options.userFunctions ?? []).map((f) => `user:${f}`),
    ],
    startNs,
    startedAt,
  };
  stream.write(`${JSON.stringify(header)}\n`);
  flush();
  let stopping: Promise<RecordingSummary> | undefined;
  const stop = async (): Promise<RecordingSummary> => {
    const stats = await collector.stop();
    flush();
    if (writeError === undefined) {
      stream.end();
      await Promise.race([once(stream, 'finish'), once(stream, 'error')]).catch(() => undefined);
    }
    if (writeError !== undefined) {
      throw new MedicError(
        'MEDIC_ERR_INGEST_TRACE_OUTPUT',
        `cannot write ${options.out}: ${writeError.message}`,
        {
          cause: writeError,
        },
      );
    }
    return { ...stats, out: options.out, events, durationMs: performance.now() - started };
  };
  return {
    collector,
    stats: () => ({ ...collector.stats(), events }),
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** JSON of each (shared, immutable) frame object, so a frame seen a million times is serialized once. */
const frameJson = new WeakMap<TraceFrame, string>();

/**
 * One NDJSON line for an event: the same JSON as JSON.stringify, built from cached frame strings
 * because serializing was the costliest step of recording at high event rates.
 */
export function eventLine(event: TraceEvent): string {
  const frames = event.stack.map((f) => {
    let json = frameJson.get(f);
    if (json === undefined) {
      json = JSON.stringify(f);
      frameJson.set(f, json);
    }
    return json;
  });
  const { stack: _stack, ...rest } = event;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"stack":[${frames.join(',')}]}\n`;
}

export interface ProbeSelection {
  runtimeProbes: RuntimeProbe[];
  userFunctions: string[];
}

/**
 * Parses probe specs: `panic`, `goroutine-create`, `gc-start`, `user:<function>`. When no runtime
 * probe is named, the default ones are on (user probes add to them); named ones replace them.
 */
export function parseProbeSpecs(specs: readonly string[]): ProbeSelection {
  const runtimeProbes: RuntimeProbe[] = [];
  const userFunctions: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith('user:')) {
      const name = spec.slice('user:'.length);
      if (!/^[\w./()*[\]-]+$/u.test(name)) {
        throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `--probe ${spec}: not a Go function name`);
      }
      if (!userFunctions.includes(name)) userFunctions.push(name);
    } else if ((RUNTIME_PROBES as readonly string[]).includes(spec)) {
      if (!runtimeProbes.includes(spec as RuntimeProbe)) runtimeProbes.push(spec as RuntimeProbe);
    } else {
      throw new InputError(
        'MEDIC_ERR_INPUT_BAD_OPTION',
        `--probe ${spec}: expected panic, goroutine-create, gc-start or user:<function>`,
      );
    }
  }
  return { runtimeProbes: runtimeProbes.length > 0 ? runtimeProbes : [...DEFAULT_PROBES], userFunctions };
}

/** `panic 1 · goroutine-create 12 · gc-start 3 · user-function 40 · dropped 0`. */
export function formatCounts(counts: Record<TraceProbe, number>, drops: number): string {
  const parts = Object.entries(counts).map(([probe, n]) => `${probe} ${n}`);
  return [...parts, `dropped ${drops}`].join(' · ');
}
