/**
 * The regression test of an incident: tries entry points from the narrowest (the blamed function)
 * outwards along the failing goroutine's stack, and keeps the first whose test, run against a
 * scratch copy of the original code, fails the way the incident did.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMedicError } from '../../core/errors.js';
import { run } from '../../core/exec.js';
import type { Diagnosis, Evidence, Frame, Incident, RegressionTest } from '../../core/model.js';
import type { Progress } from '../../core/progress.js';
import { type GoFunction, type GoRepo, locateFunction } from '../../lang/go/index.js';
import { dropScratch, scratchCopy } from '../scratch.js';
import { concurrentTest, directCallTest, type GeneratedTest } from './direct.js';
import { harvestRequest } from './recorded.js';
import { shapeFor, watchFor, watchText } from './stateful.js';

export interface RegressionOptions {
  incidentDir: string;
  /** Run each generated test on a scratch copy of the original code and keep the first that reproduces. Default true. */
  validate?: boolean;
  /** At most this many entry points are tried. Default 3. */
  maxAttempts?: number;
  onProgress?: Progress;
}

/** The failing goroutine's application frames, innermost first. */
function failingFrames(evidence: Evidence): Frame[] {
  const failure = evidence.failure;
  if (failure === undefined) return [];
  const g = failure.goroutines.find((x) => x.id === failure.crashedGoroutineId) ?? failure.goroutines[0];
  return (g?.frames ?? []).filter(
    (f) => f.repoFile !== undefined && f.kind !== 'stdlib' && f.kind !== 'runtime',
  );
}

/** Classes whose failure needs calls at the same time, and what the failing run prints. */
const CONCURRENT: ReadonlySet<string> = new Set(['race', 'concurrent-map-write']);

function failureText(diagnosis: Diagnosis, evidence: Evidence): string {
  if (diagnosis.rootCauseClass === 'race') return 'DATA RACE';
  if (diagnosis.rootCauseClass === 'concurrent-map-write') return 'concurrent map';
  return (evidence.failure?.message ?? '').split('\n')[0]?.slice(0, 80) ?? '';
}

interface Entry {
  file: string;
  line: number;
  function: string;
  frame?: Frame;
}

/** The top application frame of each access of the first race report: the two sides to run at once. */
function raceSides(evidence: Evidence): Entry[] {
  const race = evidence.failure?.races[0] ?? evidence.otherFailures.find((f) => f.races.length > 0)?.races[0];
  const out: Entry[] = [];
  for (const access of race?.accesses ?? []) {
    const frame = access.frames.find((f) => f.repoFile !== undefined && f.kind === 'application');
    if (frame?.repoFile !== undefined)
      out.push({ file: frame.repoFile, line: frame.line, function: frame.function, frame });
  }
  return out;
}

/** A regression test for the incident, or undefined when no entry point can be called from a test. */
export async function generateRegressionTest(
  repo: GoRepo,
  diagnosis: Diagnosis,
  evidence: Evidence,
  incident: Incident,
  opts: RegressionOptions,
): Promise<RegressionTest | undefined> {
  const progress = opts.onProgress ?? (() => {});
  const harvest = await harvestRequest(incident, opts.incidentDir);
  // Failures that do not panic (deadlocks, leaks) are caught by a watching test's own check.
  const watch = watchFor(diagnosis.rootCauseClass);
  const text = watch === undefined ? failureText(diagnosis, evidence) : watchText(watch);
  const meta = {
    incidentId: incident.id,
    failureClass: diagnosis.rootCauseClass,
    message: evidence.failure?.message || text,
  };
  const concurrent = CONCURRENT.has(diagnosis.rootCauseClass);
  const flags = diagnosis.rootCauseClass === 'race' ? ['-race'] : [];
  const frames = failingFrames(evidence);
  const blamedFrame = frames.find((f) => f.function === diagnosis.location.function);
  const single: Entry[] = [
    { ...diagnosis.location, ...(blamedFrame === undefined ? {} : { frame: blamedFrame }) },
  ];
  // A goroutine started by a closure is reached by calling the function that starts it.
  const blamed = await locateFunction(repo, diagnosis.location);
  if (blamed !== undefined && blamed.fn.kind === 'closure')
    single.push({
      file: blamed.fn.file,
      line: blamed.fn.startLine,
      function: `${blamed.fn.packagePath}.${blamed.fn.topLevel}`,
    });
  for (const frame of frames)
    single.push({ file: frame.repoFile ?? frame.file, line: frame.line, function: frame.function, frame });
  const groups: Entry[][] = concurrent
    ? [raceSides(evidence), ...single.map((e) => [e])]
    : single.map((e) => [e]);
  const shape = watch === undefined ? undefined : shapeFor(watch, repo);
  const seen = new Set<string>();
  const tests: Candidate[] = [];
  for (const group of groups) {
    const located: { fn: GoFunction; frame: Frame | undefined }[] = [];
    for (const entry of group) {
      const found = await locateFunction(repo, entry);
      if (found !== undefined) located.push({ fn: found.fn, frame: entry.frame });
    }
    if (located.length === 0 || located.length !== group.length) continue;
    const key = located.map((l) => l.fn.qualifiedName).join('+');
    if (seen.has(key)) continue;
    seen.add(key);
    const test = await generated(() =>
      concurrent
        ? concurrentTest(repo, located, harvest, meta)
        : directCallTest(repo, located[0]?.fn as GoFunction, located[0]?.frame, harvest, meta, shape),
    );
    if (test !== undefined) tests.push({ ...test, goTestFlags: flags, failureText: text });
  }
  // Without a panic to point at the entry, the tests that replay what the incident recorded go first.
  if (watch !== undefined) tests.sort((a, b) => recordedValues(b) - recordedValues(a));
  if (opts.validate === false) return tests[0] === undefined ? undefined : record(tests[0], false);
  let scratch: string | undefined;
  try {
    for (const test of tests.slice(0, opts.maxAttempts ?? 3)) {
      scratch ??= await scratchCopy(repo.root, 'repro');
      progress(`patch: checking that a test through ${test.entry} reproduces the failure`);
      // A counter's message names no line; every other failure shows the blamed line in a stack.
      const where = watch === 'heap-leak' ? undefined : diagnosis.location;
      if (await reproduces(scratch, test, where)) return record(test, true);
      await rm(join(scratch, test.file), { force: true });
    }
  } finally {
    if (scratch !== undefined) await dropScratch(scratch);
  }
  return undefined;
}

/** How many of a test's values come from what the incident recorded. */
function recordedValues(test: GeneratedTest): number {
  return test.notes.filter((n) => /recorded/.test(n)).length;
}

/** A generated test, or undefined when its source cannot be written (gofmt refuses it): the entry is skipped. */
async function generated(make: () => Promise<GeneratedTest | undefined>): Promise<GeneratedTest | undefined> {
  try {
    return await make();
  } catch (error) {
    if (isMedicError(error) && error.code === 'MEDIC_ERR_PATCH_GOFMT') return undefined;
    throw error;
  }
}

interface Candidate extends GeneratedTest {
  goTestFlags: string[];
  failureText: string;
}

function record(test: Candidate, validated: boolean): RegressionTest {
  return {
    file: test.file,
    packageDir: test.packageDir,
    name: test.name,
    source: test.source,
    kind: test.kind,
    goTestFlags: test.goTestFlags,
    ...(test.failureText === '' ? {} : { failureText: test.failureText }),
    validated,
  };
}

/**
 * Runs the test on the original code: it must fail, its output must carry the incident's failure
 * text (the runtime's own panic or race message) and name the blamed file and line in a stack, so
 * a test failing for another reason, or somewhere else, is not kept.
 */
async function reproduces(
  dir: string,
  test: Candidate,
  blamed: { file: string; line: number } | undefined,
): Promise<boolean> {
  await writeFile(join(dir, test.file), test.source);
  const result = await run(
    // A test that has not failed within 30 s does not show the incident; move on to the next entry.
    [
      'go',
      'test',
      '-count=1',
      '-timeout=30s',
      ...test.goTestFlags,
      '-run',
      `^${test.name}$`,
      test.packageDir,
    ],
    { cwd: dir, timeoutMs: 180_000 },
  );
  if (result.exitCode === 0 || test.failureText === '') return false;
  const output = result.stdout + result.stderr;
  // The same failure at the same place: a nil store dereferenced elsewhere is not this incident.
  return (
    output.includes(test.failureText) &&
    (blamed === undefined || output.includes(`${blamed.file}:${blamed.line}`))
  );
}
