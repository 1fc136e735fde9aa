/**
 * Checks a diagnosis against the repository and the evidence: the blamed file, function and line
 * exist; the blame lies on the failure's path or among the suspects; the class agrees with the
 * parsed failure; every cited evidence id exists. Problems come back as sentences a model can act on.
 */
import type { CodeLocation, Evidence, FailureClass } from '../core/model.js';
import { classOf, failurePath, sameFunction } from './evidence-view.js';
import type { SourceIndex } from './ports.js';

/** What a location check found; `problem` is undefined when the location is real. */
export async function checkLocation(loc: CodeLocation, source: SourceIndex): Promise<string | undefined> {
  const lines = await source.lines(loc.file);
  if (!lines) return `file ${loc.file} does not exist in the repository`;
  if (loc.line > lines.length)
    return `${loc.file} has ${lines.length} lines; line ${loc.line} does not exist`;
  const at = await source.functionAt(loc.file, loc.line);
  if (!at) return `line ${loc.line} of ${loc.file} is not inside any function`;
  if (at.function === loc.function) return undefined;
  // A closure line belongs to the closure; naming its enclosing function is the same place to fix.
  const named = await source.findFunction(loc.function);
  if (named && named.file === loc.file && named.startLine <= loc.line && loc.line <= named.endLine)
    return undefined;
  return named
    ? `${loc.function} is at ${named.file}:${named.startLine}-${named.endLine}, which does not hold ${loc.file}:${loc.line} (that line is in ${at.function})`
    : `no function ${loc.function} in the repository; ${loc.file}:${loc.line} is in ${at.function}`;
}

/** Classes that describe the same failure from two angles: a model may name either. */
const COMPATIBLE: ReadonlyArray<readonly FailureClass[]> = [
  ['index-range', 'slice-range'],
  ['heap-leak', 'oom'],
  ['race', 'concurrent-map-write'],
  ['goroutine-leak', 'deadlock'],
];

/** Parsed classes that say too little to contradict a more specific answer. */
const OPEN: readonly FailureClass[] = ['custom-panic', 'fatal-error', 'unknown'];

export function checkClass(answer: FailureClass, evidence: Evidence): string | undefined {
  if (answer === 'unknown')
    return 'rootCauseClass unknown is not a diagnosis: name the class the evidence shows';
  const parsed = classOf(evidence);
  if (answer === parsed || OPEN.includes(parsed)) return undefined;
  if (COMPATIBLE.some((group) => group.includes(answer) && group.includes(parsed))) return undefined;
  return `rootCauseClass ${answer} contradicts the parsed failure, which is ${parsed}`;
}

export interface Checked {
  problems: string[];
  /** The blamed location with its function written as the runtime names it. */
  location: CodeLocation;
  /** Alternatives that exist and lie on the path, in the order given. */
  alternatives: CodeLocation[];
}

/**
 * Models often shorten names (`(*Cart).Add`, `store.(*Cart).Add`). When the function at the
 * cited file and line is the one named, with its package left off, use its full runtime name.
 */
export async function canonical(loc: CodeLocation, source: SourceIndex): Promise<CodeLocation> {
  const at = await source.functionAt(loc.file, loc.line);
  if (!at || at.function === loc.function) return loc;
  const short = loc.function.trim();
  const fits = at.function.endsWith(`.${short}`) || at.function.endsWith(`/${short}`);
  return fits && short.length > 0 ? { ...loc, function: at.function } : loc;
}

/** Every check of an answer; an empty `problems` list means it may be used. */
export async function checkAnswer(
  answer: {
    rootCauseClass: FailureClass;
    location: CodeLocation;
    alternatives: CodeLocation[];
    evidenceChain: Array<{ evidenceId: string }>;
  },
  evidence: Evidence,
  source: SourceIndex,
): Promise<Checked> {
  const problems: string[] = [];
  const classProblem = checkClass(answer.rootCauseClass, evidence);
  if (classProblem) problems.push(classProblem);
  const location = await canonical(answer.location, source);
  const locProblem = await checkLocation(location, source);
  if (locProblem) problems.push(`location: ${locProblem}`);
  const path = await failurePath(evidence, source);
  const onPath = (loc: CodeLocation) => path.some((p) => sameFunction(p, loc));
  if (!locProblem && !onPath(location)) {
    const names = [...new Set(path.map((p) => p.function))].slice(0, 12).join(', ');
    problems.push(
      `location: ${location.function} is neither on the failure's path nor a suspect; choose among: ${names}`,
    );
  }
  const known = new Set(evidence.items.map((i) => i.id));
  const unknown = answer.evidenceChain.map((l) => l.evidenceId).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    problems.push(
      `evidenceChain cites ${unknown.join(', ')}, which are not evidence ids (known: ${[...known].join(', ')})`,
    );
  }
  const alternatives: CodeLocation[] = [];
  for (const given of answer.alternatives) {
    const alt = await canonical(given, source);
    if (sameFunction(alt, location) || alternatives.some((a) => sameFunction(a, alt))) continue;
    if (!(await checkLocation(alt, source)) && onPath(alt)) alternatives.push(alt);
  }
  return { problems, location, alternatives };
}
