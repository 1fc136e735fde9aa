/** Timing one event path of bench/ebpf: the tracee calls main.handle CALLS times under a probe. */
import { Tracee } from '../../test/ebpf/helpers.js';

export const CALLS = Number(process.env.BENCH_CALLS ?? 300_000);

export interface Rate {
  label: string;
  events: number;
  seconds: number;
  cpuSeconds: number;
  drops: number;
}

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** Runs `handle CALLS` in the tracee under `attach`; timed until stop() has delivered every event. */
export async function measure(
  label: string,
  binary: string,
  attach: (pid: number) => Promise<() => Promise<{ events: number; drops: number }>>,
): Promise<Rate> {
  const t = new Tracee(binary);
  try {
    await t.next();
    const stop = await attach(t.pid);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await t.send(`handle ${CALLS}`);
    const { events, drops } = await stop();
    return {
      label,
      events,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSeconds(cpu),
      drops,
    };
  } finally {
    t.kill();
  }
}
