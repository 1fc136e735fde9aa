/**
 * The gate every LLM-proposed patch passes: the proposal must match the operation schema, each
 * operation must act inside the blamed function or a function the evidence names, the result must
 * parse and gofmt, import nothing dangerous the file did not already import, and stay small.
 * Each rejection is a PatchError whose code says which rule failed.
 */
import { z } from 'zod';
import { PatchError } from '../core/errors.js';
import { type Diagnosis, type Evidence, FixStrategy, Patch, SCHEMA_VERSION } from '../core/model.js';
import { type GoFunction, GoRepo, locateFunction, parseGo } from '../lang/go/index.js';
import { buildCandidate } from './candidate.js';
import { importedPaths } from './go/edit.js';
import { Operation } from './ops/schema.js';

export const LlmProposalSchema = z.object({
  strategy: FixStrategy,
  explanation: z.string().min(1).max(2_000),
  operations: z.array(Operation).min(1).max(8),
});
export type LlmProposal = z.infer<typeof LlmProposalSchema>;

/** Imports a patch may not add unless the file already had them (process, network, memory and reflection escapes). */
const FORBIDDEN = [
  /^os\/exec$/,
  /^net(\/.*)?$/,
  /^unsafe$/,
  /^syscall$/,
  /^reflect$/,
  /^C$/,
  /^plugin$/,
  /^golang\.org\/x\/sys\//,
];

export interface GateContext {
  repoDir: string;
  diagnosis: Diagnosis;
  evidence: Evidence;
  incidentId: string;
  /** Added plus removed lines of the whole diff. Default 120. */
  maxChangedLines?: number;
  rank?: number;
}

/** Runtime names of the functions the evidence names: the blamed one, alternatives, suspects, failing frames, race accesses. */
function namedFunctions(
  diagnosis: Diagnosis,
  evidence: Evidence,
): { file: string; line: number; function: string }[] {
  const out = [diagnosis.location, ...diagnosis.alternatives, ...evidence.suspects.map((s) => s.location)];
  for (const item of evidence.items) if (item.location !== undefined) out.push(item.location);
  for (const failure of [evidence.failure, ...evidence.otherFailures]) {
    if (failure === undefined) continue;
    const g = failure.goroutines.find((x) => x.id === failure.crashedGoroutineId);
    const frames = [
      ...(g?.frames ?? []),
      ...failure.races.flatMap((r) => r.accesses.flatMap((a) => a.frames)),
    ];
    for (const f of frames)
      if (f.repoFile !== undefined && f.kind === 'application')
        out.push({ file: f.repoFile, line: f.line, function: f.function });
  }
  return out;
}

/** The functions a proposal may change: those the diagnosis and the evidence name, blamed one first. */
export async function proposalScope(
  repo: GoRepo,
  diagnosis: Diagnosis,
  evidence: Evidence,
): Promise<{ names: Set<string>; tops: Set<string>; functions: GoFunction[] }> {
  const names = new Set<string>();
  const tops = new Set<string>();
  const functions: GoFunction[] = [];
  for (const site of namedFunctions(diagnosis, evidence)) {
    const found = await locateFunction(repo, site);
    if (found === undefined) continue;
    if (!names.has(found.fn.qualifiedName)) functions.push(found.fn);
    names.add(found.fn.qualifiedName);
    tops.add(`${found.fn.packagePath}.${found.fn.topLevel}`);
  }
  return { names, tops, functions };
}

function inScope(fn: GoFunction, allowed: { names: Set<string>; tops: Set<string> }): boolean {
  return allowed.names.has(fn.qualifiedName) || allowed.tops.has(`${fn.packagePath}.${fn.topLevel}`);
}

/** Validates and applies an LLM proposal; returns the Patch (origin `llm`) or throws the reason it was refused. */
export async function gateProposal(proposal: unknown, ctx: GateContext): Promise<Patch> {
  const parsed = LlmProposalSchema.safeParse(proposal);
  if (!parsed.success) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_PROPOSAL_INVALID',
      `the proposal does not match the operation schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      {
        details: { issues: parsed.error.issues },
      },
    );
  }
  const repo = new GoRepo(ctx.repoDir);
  const allowed = await proposalScope(repo, ctx.diagnosis, ctx.evidence);
  for (const op of parsed.data.operations) {
    const site = {
      file: op.file,
      line: op.line,
      ...(op.function === undefined ? {} : { function: op.function }),
    };
    const found = await locateFunction(repo, site);
    if (
      found === undefined ||
      !inScope(found.fn, allowed) ||
      (op.op === 'replace-function-body' && found.match !== 'name' && found.match !== 'name+line')
    ) {
      throw new PatchError(
        'MEDIC_ERR_PATCH_OUT_OF_SCOPE',
        `${op.op} at ${op.file}:${op.line}${op.function === undefined ? '' : ` (${op.function})`} is outside the blamed function and the functions the evidence names`,
        {
          details: { op: op.op, file: op.file, line: op.line, allowed: [...allowed.names] },
        },
      );
    }
  }
  const built = await buildCandidate(repo, parsed.data.operations);
  for (const change of built.changes) {
    const before =
      change.before === undefined ? [] : importedPaths(await parseGo(change.before, change.path));
    const after = importedPaths(await parseGo(change.after, change.path));
    const added = after.filter((p) => !before.includes(p) && FORBIDDEN.some((f) => f.test(p)));
    if (added.length > 0) {
      throw new PatchError(
        'MEDIC_ERR_PATCH_FORBIDDEN_IMPORT',
        `the proposal imports ${added.join(', ')} in ${change.path}`,
        { details: { file: change.path, imports: added } },
      );
    }
    const directives = change.after
      .split('\n')
      .filter(
        (l) => /^\s*\/\/go:(linkname|cgo_|noescape|nosplit)/.test(l) && !(change.before ?? '').includes(l),
      );
    if (directives.length > 0) {
      throw new PatchError(
        'MEDIC_ERR_PATCH_FORBIDDEN_IMPORT',
        `the proposal adds compiler directives in ${change.path}: ${directives[0]?.trim()}`,
        { details: { file: change.path } },
      );
    }
  }
  const changed = built.diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l)).length;
  const max = ctx.maxChangedLines ?? 120;
  if (changed > max) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_TOO_LARGE',
      `the proposal changes ${changed} lines; the limit is ${max}`,
      { details: { changed, max } },
    );
  }
  return Patch.parse({
    schemaVersion: SCHEMA_VERSION,
    incidentId: ctx.incidentId,
    rank: ctx.rank ?? 1,
    strategy: parsed.data.strategy,
    origin: 'llm',
    operations: built.operations,
    diff: built.diff,
    files: built.changes.map((c) => c.path),
    explanation: parsed.data.explanation,
  });
}
