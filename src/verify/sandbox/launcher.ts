/**
 * The sandbox launcher: the process that runs inside the fresh namespaces (or bare, for the native
 * fallback). argv: <job.json>. It confines its namespace, runs each step with capabilities dropped
 * and rlimits applied, and prints a JobResult as JSON on stdout. Only the launcher writes stdout, so
 * untrusted steps cannot forge results.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from '../../core/exec.js';
import { confineNamespace, prlimitAvailable, stepPrefix } from './confine.js';
import { type ExecResult, Job, type JobResult, type ParsedExecStep, type StepResult } from './job.js';
import { runReplayStep } from './replay-step.js';

// Beside this file: wasi-runner.js in a build, wasi-runner.mjs in the bundle made from the sources.
const wasiRunner = fileURLToPath(
  new URL(`./wasi-runner${import.meta.url.endsWith('.mjs') ? '.mjs' : '.js'}`, import.meta.url),
);

async function runExec(step: ParsedExecStep, prefix: string[]): Promise<ExecResult> {
  const [program, ...args] = step.argv;
  const argv = step.wasm
    ? // node:wasi in a child node, so a time-out can kill it.
      [
        ...prefix,
        process.execPath,
        '--no-warnings',
        // Tests are short: V8's optimising tier would compile more than it saves (measured ~2x slower overall).
        '--liftoff-only',
        wasiRunner,
        program ?? '',
        step.wasm.preopen,
        JSON.stringify(step.env),
        ...args,
      ]
    : [...prefix, ...step.argv];
  try {
    const r = await run(argv, {
      cwd: step.cwd,
      env: step.wasm ? { PATH: step.env.PATH ?? '/usr/bin:/bin' } : step.env,
      timeoutMs: step.timeoutMs,
      maxOutputBytes: step.maxOutputBytes,
      ...(step.stdin !== undefined && !step.wasm ? { input: step.stdin } : {}),
    });
    return {
      kind: 'exec',
      exitCode: r.exitCode,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
      timedOut: r.timedOut,
    };
  } catch (error) {
    return {
      kind: 'exec',
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: '',
      durationMs: 0,
      timedOut: false,
      startError: error instanceof Error ? error.message : String(error),
    };
  }
}

async function main(): Promise<void> {
  const jobFile = process.argv[2];
  if (jobFile === undefined) throw new Error('launcher: usage: launcher <job.json>');
  const job = Job.parse(JSON.parse(readFileSync(jobFile, 'utf8')));
  const confined = job.confinement === 'netns';
  const description = confined
    ? confineNamespace(job.writable)
    : 'no namespaces: rlimits and a time limit only';
  const hasPrlimit = prlimitAvailable();
  const results: StepResult[] = [];
  for (const step of job.steps) {
    const prefix = stepPrefix(step.limits, confined, hasPrlimit);
    results.push(step.kind === 'exec' ? await runExec(step, prefix) : await runReplayStep(step, prefix));
  }
  const out: JobResult = {
    confinement: hasPrlimit ? description : `${description}; prlimit missing: no rlimits`,
    results,
  };
  process.stdout.write(JSON.stringify(out));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
});
