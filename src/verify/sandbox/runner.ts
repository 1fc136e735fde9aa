/**
 * Host side of the sandbox: decides whether fresh namespaces are available, starts the launcher
 * (under `unshare` when they are) with a job file, and reads back its validated results.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VerifyError } from '../../core/errors.js';
import { run } from '../../core/exec.js';
import { Job, JobResult } from './job.js';

export type { Job } from './job.js';

const UNSHARE = ['unshare', '--net', '--mount', '--pid', '--fork', '--mount-proc', '--ipc', '--uts', '--'];

export interface Confinement {
  kind: 'netns' | 'native';
  /** Why this confinement: what was probed and what it gave. */
  reason: string;
}

let probed: Promise<Confinement> | undefined;

/** Probes once per process whether the namespaces can be made here (root, or a kernel that allows it). */
export function probeConfinement(): Promise<Confinement> {
  probed ??= probeNamespaces();
  return probed;
}

/**
 * Whether `unshare` makes the namespaces (and can bring up their loopback) and `setpriv` exists to
 * drop capabilities inside; the reason says what was missing. `unshare` is a parameter for tests.
 */
export async function probeNamespaces(unshare = 'unshare'): Promise<Confinement> {
  const unavailable = (why: string): Confinement => ({
    kind: 'native',
    reason: `namespaces unavailable: ${why}`,
  });
  try {
    const r = await run([unshare, ...UNSHARE.slice(1), 'ip', 'link', 'set', 'lo', 'up'], {
      timeoutMs: 20_000,
    });
    if (r.exitCode !== 0) return unavailable(`${unshare}: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`);
    const setpriv = await run(['setpriv', '--version'], { timeoutMs: 20_000 });
    if (setpriv.exitCode !== 0)
      return unavailable('setpriv does not run, so capabilities could not be dropped');
    return { kind: 'netns', reason: 'unshare created fresh network, mount and pid namespaces' };
  } catch (error) {
    return unavailable((error as Error).message);
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

const bundles = new Map<string, Promise<string>>();

/**
 * The launcher as plain JavaScript. Built code (dist) runs as it is; from TypeScript sources the
 * launcher and the WASI runner are bundled once per scratch dir with esbuild, because a TypeScript
 * loader in every sandboxed process costs about ten times node's own start-up.
 */
function launcherScript(scratchDir: string): Promise<string> {
  if (!import.meta.url.endsWith('.ts'))
    return Promise.resolve(fileURLToPath(new URL('./launcher.js', import.meta.url)));
  let bundle = bundles.get(scratchDir);
  if (bundle === undefined) {
    bundle = (async () => {
      const { build } = await import('esbuild');
      const outdir = join(scratchDir, 'sandbox-js');
      await build({
        entryPoints: {
          launcher: fileURLToPath(new URL('./launcher.ts', import.meta.url)),
          'wasi-runner': fileURLToPath(new URL('./wasi-runner.ts', import.meta.url)),
        },
        outdir,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
      });
      return join(outdir, 'launcher.mjs');
    })();
    bundles.set(scratchDir, bundle);
  }
  return bundle;
}

export interface RunJobOptions {
  /** Where the job file is written (read-only to the steps). */
  scratchDir: string;
  name: string;
  signal?: AbortSignal;
}

/** Runs `job` and returns what each step did. Throws VerifyError MEDIC_ERR_VERIFY_SANDBOX when the launcher itself fails. */
export async function runJob(job: Job, options: RunJobOptions): Promise<JobResult> {
  const parsed = Job.parse(job);
  const jobFile = join(options.scratchDir, `${options.name}.job.json`);
  await writeFile(jobFile, JSON.stringify(parsed));
  const launcher = [process.execPath, await launcherScript(options.scratchDir), jobFile];
  const argv = parsed.confinement === 'netns' ? [...UNSHARE, ...launcher] : launcher;
  // The job's own limits bound each step; this outer limit only catches a launcher that hangs.
  const budget = parsed.steps.reduce(
    (sum, s) =>
      sum +
      (s.kind === 'exec'
        ? s.timeoutMs
        : s.startTimeoutMs + s.requests.reduce((n, r) => n + (r.burst?.rounds ?? 1), 0) * s.requestTimeoutMs),
    30_000,
  );
  const r = await run(argv, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
    timeoutMs: budget,
    maxOutputBytes: 64 * 1024 * 1024,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (r.exitCode !== 0) {
    throw new VerifyError(
      'MEDIC_ERR_VERIFY_SANDBOX',
      `the sandbox launcher failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`}): ${firstLine(r.stderr)}`,
      { details: { argv, stderr: r.stderr.slice(-4000) } },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  const result = JobResult.safeParse(json);
  if (!result.success) {
    throw new VerifyError(
      'MEDIC_ERR_VERIFY_SANDBOX',
      'the sandbox launcher printed results that do not match the schema',
      {
        details: result.error.issues,
      },
    );
  }
  return result.data;
}
