/** `medic trace`: attach the eBPF collector to a Go binary and write its events as NDJSON, with live counts. */
import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { formatCounts, parseProbeSpecs, recordTrace } from '../../ingest/index.js';
import { action, EXIT_OK, printJson } from '../action.js';

interface TraceFlags {
  binary: string;
  pid?: string;
  probe: string[];
  duration?: string;
  out: string;
  stacks: boolean;
  json?: boolean;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description('Probe a running Go binary with eBPF (panics, goroutines, GC, user functions) into NDJSON')
    .requiredOption('--binary <path>', 'the Go executable to probe (unstripped, with DWARF)')
    .option(
      '--pid <pid>',
      'only this process; tracing stops when it exits (default: every process of the binary)',
    )
    .option(
      '--probe <spec>',
      'panic | goroutine-create | gc-start | user:<function>, repeatable; runtime probes default to all three',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--duration <time>', 'stop after this long: 500ms, 30s, 5m, 1h (default: until Ctrl-C)')
    .requiredOption('--out <file>', 'where to write the events (NDJSON, one TraceEvent a line)')
    .option('--no-stacks', 'skip user stacks on user-function events (cheaper per hit)')
    .option('--json', 'print the summary as JSON on stdout')
    .action(action(trace));
}

/** Parses `500ms`, `30s`, `5m`, `1h` (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--duration ${text}: expected e.g. 500ms, 30s, 5m or 1h`,
    );
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

function parsePid(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0) {
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `--pid ${text}: expected a process id`);
  }
  return Number(text);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function trace(flags: TraceFlags): Promise<number> {
  const pid = flags.pid === undefined ? undefined : parsePid(flags.pid);
  const durationMs = flags.duration === undefined ? undefined : parseDuration(flags.duration);
  const probes = parseProbeSpecs(flags.probe);
  const recording = await recordTrace({
    binary: flags.binary,
    ...(pid === undefined ? {} : { pid }),
    runtimeProbes: probes.runtimeProbes,
    userFunctions: probes.userFunctions,
    userStacks: flags.stacks,
    out: flags.out,
  });
  const tty = process.stderr.isTTY === true;
  const target = pid === undefined ? flags.binary : `pid ${pid}`;
  const probeList = [...probes.runtimeProbes, ...probes.userFunctions.map((f) => `user:${f}`)].join(', ');
  // Printed once the signal handlers are in place: from then on Ctrl-C flushes.
  const attachedLine = `medic trace: attached to ${target} (${recording.collector.goVersion}); probes: ${probeList}; Ctrl-C to stop\n`;

  const reason = await new Promise<string>((resolveStop) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (why: string) => {
      for (const t of timers) clearInterval(t);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolveStop(why);
    };
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stderr.write(attachedLine);
    if (durationMs !== undefined) timers.push(setTimeout(() => finish('duration'), durationMs));
    let ticks = 0;
    timers.push(
      setInterval(() => {
        ticks++;
        if (pid !== undefined && !alive(pid)) finish(`process ${pid} exited`);
        // Live counts: a rewritten line on a terminal, a line every 10 s in logs.
        if (tty || ticks % 40 === 0) {
          const s = recording.stats();
          process.stderr.write(
            `${tty ? '\r\x1b[K' : ''}medic trace: ${formatCounts(s.counts, s.drops)}${tty ? '' : '\n'}`,
          );
        }
      }, 250),
    );
  });

  const summary = await recording.stop();
  process.stderr.write(
    `${tty ? '\r\x1b[K' : ''}medic trace: stopped (${reason}); ${summary.events} events written to ${summary.out}\n` +
      `medic trace: ${formatCounts(summary.counts, summary.drops)}\n`,
  );
  if (summary.drops > 0) {
    process.stderr.write(
      `medic trace: warning: ${summary.drops} events were dropped (ring buffer full); probe fewer or rarer functions\n`,
    );
  }
  if (flags.json) printJson({ ...summary, stoppedBy: reason });
  return EXIT_OK;
}
