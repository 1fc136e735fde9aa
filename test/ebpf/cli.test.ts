// `medic trace` from the outside: live attach, Ctrl-C flushes every event, bad input and missing privilege exit clearly.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTracee, ebpfSkipReason, readTrace, Tracee } from './helpers.js';

const CLI = fileURLToPath(new URL('./trace-cli.ts', import.meta.url));
const skip = ebpfSkipReason();
let dir = '';
let tracee = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medic-ebpf-cli-'));
  if (skip === undefined) tracee = await buildTracee(join(dir, 'tracee'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Cli {
  attached: Promise<void>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  signal(sig: NodeJS.Signals): void;
}

/** Runs `medic trace ARGS` (optionally under a command prefix such as setpriv). */
function medicTrace(args: string[], options: { prefix?: string[]; env?: NodeJS.ProcessEnv } = {}): Cli {
  const argv = [...(options.prefix ?? []), process.execPath, '--import', 'tsx', CLI, 'trace', ...args];
  const child = spawn(argv[0] ?? '', argv.slice(1), { env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  let onAttach: () => void = () => {};
  const attached = new Promise<void>((resolve) => {
    onAttach = resolve;
  });
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (stderr.includes('attached to')) onAttach();
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { attached, exit, signal: (sig) => child.kill(sig) };
}

const readEvents = (file: string) => readTrace(file).events;

describe('medic trace: bad input', () => {
  // The parsers' cases are in addon.test.ts; here, that a bad flag becomes exit 2 with its code.
  it.each([[['--probe', 'user:main.handle;rm']], [['--pid', 'abc']]])('exits 2 on %j', async (extra) => {
    const { code, stderr } = await medicTrace([
      '--binary',
      '/bin/true',
      '--out',
      join(dir, 'x.ndjson'),
      ...extra,
    ]).exit;
    expect(code).toBe(2);
    expect(stderr).toContain('MEDIC_ERR_INPUT_BAD_OPTION');
  });

  it('exits 2 when the output directory does not exist, before attaching anything', async () => {
    const out = join(dir, 'missing', 'x.ndjson');
    const { code, stderr } = await medicTrace(['--binary', '/bin/true', '--out', out]).exit;
    expect(code).toBe(2);
    expect(stderr).toContain('MEDIC_ERR_INPUT_NOT_FOUND');
  });

  it('says "eBPF unavailable" with the reason when the addon is not built, and exits 1', async () => {
    const out = join(dir, 'none.ndjson');
    const { code, stderr } = await medicTrace(['--binary', '/bin/true', '--out', out], {
      env: { MEDIC_NATIVE_BUILD: join(dir, 'no-build-here') },
    }).exit;
    expect(code).toBe(1);
    expect(stderr).toContain('MEDIC_ERR_INGEST_TRACE_UNAVAILABLE');
    expect(stderr).toMatch(/eBPF unavailable: .*not built/);
  });
});

describe.skipIf(skip !== undefined)('medic trace on a running Go program', () => {
  it('shows counts, and on SIGINT writes every buffered event before exiting 0', async () => {
    const t = new Tracee(tracee);
    try {
      await t.next();
      const out = join(dir, 'sigint.ndjson');
      const cli = medicTrace([
        '--binary',
        tracee,
        '--pid',
        String(t.pid),
        '--probe',
        'user:main.handle',
        '--probe',
        'goroutine-create',
        '--out',
        out,
        '--json',
      ]);
      await cli.attached;
      await t.send('handle 25');
      await t.send('spawn 2');
      // The probes fired synchronously inside the calls above; the events are in the kernel's buffer.
      cli.signal('SIGINT');
      const { code, stdout, stderr } = await cli.exit;
      expect(code).toBe(0);
      expect(stderr).toContain('stopped (SIGINT)');
      const { header, events } = readTrace(out);
      expect(header).toMatchObject({
        source: 'collector',
        generated: false,
        pid: t.pid,
        probes: ['goroutine-create', 'user:main.handle'],
      });
      expect(events.filter((e) => e.function === 'main.handle')).toHaveLength(25);
      expect(
        events.filter((e) => e.probe === 'goroutine-create' && e.function === 'main.worker'),
      ).toHaveLength(2);
      expect(JSON.parse(stdout)).toMatchObject({ events: events.length, drops: 0, stoppedBy: 'SIGINT' });
    } finally {
      t.kill();
    }
  });

  it('stops by itself when the traced process exits, with its panic recorded', async () => {
    const t = new Tracee(tracee);
    try {
      await t.next();
      const out = join(dir, 'exit.ndjson');
      const cli = medicTrace(['--binary', tracee, '--pid', String(t.pid), '--out', out]);
      await cli.attached;
      await t.send('panic string the end');
      const { code, stderr } = await cli.exit;
      expect(code).toBe(0);
      expect(stderr).toContain(`process ${t.pid} exited`);
      expect(readEvents(out).find((e) => e.probe === 'panic')?.panic?.message).toBe('the end');
    } finally {
      t.kill();
    }
  });

  it('names the missing capability when run without CAP_SYS_ADMIN', async () => {
    const out = join(dir, 'nocap.ndjson');
    const { code, stderr } = await medicTrace(['--binary', tracee, '--out', out], {
      prefix: ['setpriv', '--inh-caps=-sys_admin', '--bounding-set=-sys_admin'],
    }).exit;
    expect(code).toBe(1);
    expect(stderr).toContain('MEDIC_ERR_INGEST_TRACE_PRIVILEGE');
    expect(stderr).toContain('CAP_SYS_ADMIN');
    expect(existsSync(out)).toBe(false);
  });
});
