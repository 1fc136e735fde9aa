/**
 * The incident context an LLM diagnoses from, within a token budget: the failure and its buckets,
 * the evidence items and suspects, the source of the functions on the failure's path (numbered),
 * callers of the top candidate, recent commits touching the blamed lines, profile and trace
 * highlights. Every piece of incident text is fenced as data; nothing off the failure's path goes in.
 */
import { run } from '../core/exec.js';
import type { CodeLocation, Evidence, Failure, Frame } from '../core/model.js';
import { appLocations, crashedGoroutine, pushUnique, sameFunction } from './evidence-view.js';
import type { SourceIndex } from './ports.js';
import { framesOfFault } from './rules/locate.js';

export interface ContextInput {
  evidence: Evidence;
  source: SourceIndex;
  /** Estimated tokens the context may use. */
  budgetTokens: number;
  /** Random per request; closes the data fences so data cannot close them itself. */
  nonce: string;
}

export interface BuiltContext {
  text: string;
  tokens: number;
  /** Candidate locations whose source went in, best first. */
  candidates: CodeLocation[];
  /** Sections left out or cut for the budget. */
  omitted: string[];
}

interface Section {
  title: string;
  body: string;
}

const tokens = (text: string): number => Math.ceil(text.length / 4);

/** Fences untrusted text; occurrences of the fence tag inside the data are defused first. */
export function fence(kind: string, text: string, nonce: string): string {
  const safe = text.replaceAll(`data-${nonce}`, `data-${'x'.repeat(nonce.length)}`);
  return `<data-${nonce} kind="${kind}">\n${safe}\n</data-${nonce}>`;
}

function frameLine(f: Frame): string {
  return `${f.function}${f.inlined ? ' (inlined)' : ''}\n    ${f.repoFile ?? f.file}:${f.line} [${f.kind}]`;
}

function failureText(f: Failure, maxGoroutines: number): string {
  const out: string[] = [`kind: ${f.kind}; class: ${f.class}${f.goVersion ? `; go: ${f.goVersion}` : ''}`];
  out.push(`message: ${f.message}`);
  for (const link of f.panicChain.slice(1))
    out.push(`  then: ${link.value}${link.recovered ? ' [recovered]' : ''}`);
  if (f.signal)
    out.push(`signal: ${f.signal.name} code=${f.signal.code ?? '?'} addr=${f.signal.addr ?? '?'}`);
  const crashed = crashedGoroutine(f);
  const shown = crashed ? [crashed, ...f.goroutines.filter((g) => g !== crashed)] : f.goroutines;
  for (const g of shown.slice(0, maxGoroutines)) {
    out.push(
      `goroutine ${g.id} [${g.state}${g.waitMinutes ? `, ${g.waitMinutes} minutes` : ''}]${g === crashed ? ' (failing)' : ''}:`,
    );
    for (const fr of g.frames.slice(0, 24)) out.push(`  ${frameLine(fr)}`);
    if (g.createdBy)
      out.push(`  created by ${g.createdBy.function} at ${g.createdBy.file}:${g.createdBy.line}`);
  }
  if (f.goroutines.length > maxGoroutines)
    out.push(`(${f.goroutines.length - maxGoroutines} more goroutines; see buckets)`);
  for (const [i, race] of f.races.entries()) {
    out.push(`race ${i + 1}:`);
    for (const a of race.accesses) {
      out.push(`  ${a.previous ? 'previous ' : ''}${a.kind} by goroutine ${a.goroutineId}:`);
      for (const fr of a.frames.slice(0, 12)) out.push(`    ${frameLine(fr)}`);
    }
  }
  const buckets = [...f.buckets].sort((a, b) => b.ids.length - a.ids.length).slice(0, 8);
  if (buckets.length > 0) out.push('goroutine buckets (largest first):');
  for (const b of buckets) {
    const top = b.frames.find((fr) => fr.kind === 'application') ?? b.frames[0];
    out.push(
      `  ${b.ids.length} x [${b.state}] at ${top ? `${top.function} ${top.repoFile ?? top.file}:${top.line}` : '?'}`,
    );
  }
  return out.join('\n');
}

/** Candidates whose source goes in: the failing frames, the racing accesses, then ingest's suspects. */
async function candidates(ev: Evidence, source: SourceIndex): Promise<CodeLocation[]> {
  // Ingest's ranking first: it already weighs the crash frame, racing accesses, waiting stacks and growth.
  const out: CodeLocation[] = ev.suspects.slice(0, 4).map((s) => s.location);
  const f = ev.failure;
  if (f) {
    const g = crashedGoroutine(f);
    if (g) pushUnique(out, ...(await appLocations(framesOfFault(g.frames), source)).slice(0, 2));
    for (const r of f.races.slice(0, 1))
      for (const a of r.accesses) pushUnique(out, ...(await appLocations(a.frames, source)).slice(0, 1));
  }
  const unique: CodeLocation[] = [];
  for (const c of out) if (!unique.some((u) => sameFunction(u, c))) unique.push(c);
  return unique.slice(0, 5);
}

async function sourceOf(
  loc: CodeLocation,
  source: SourceIndex,
  marked: CodeLocation[],
): Promise<string | undefined> {
  const span = (await source.functionAt(loc.file, loc.line)) ?? (await source.findFunction(loc.function));
  const lines = span && (await source.lines(span.file));
  if (!span || !lines) return undefined;
  const from = span.startLine;
  const to = Math.min(span.endLine, from + 80);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const hit = marked.some((m) => m.file === span.file && m.line === n);
    out.push(`${hit ? '>>' : '  '}${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
  }
  if (span.endLine > to) out.push(`   ... (${span.endLine - to} more lines)`);
  return `${span.function} (${span.file}:${span.startLine}-${span.endLine})\n${out.join('\n')}`;
}

async function history(loc: CodeLocation, source: SourceIndex): Promise<string | undefined> {
  const from = Math.max(1, loc.line - 3);
  const result = await run(
    [
      'git',
      '-C',
      source.repoDir,
      'log',
      '-n',
      '3',
      '-s',
      '--date=short',
      '--format=%h %ad %an: %s',
      '-L',
      `${from},${loc.line + 3}:${loc.file}`,
    ],
    { timeoutMs: 15_000 },
  ).catch(() => undefined);
  const text = result?.exitCode === 0 ? result.stdout.trim() : '';
  return text === '' ? undefined : `${loc.file}:${from}-${loc.line + 3}\n${text}`;
}

function profileText(ev: Evidence): string {
  const out: string[] = [];
  for (const p of ev.profiles) {
    out.push(
      `${p.kind} profile ${p.artifact}: ${p.valueType.type} (${p.valueType.unit}), total ${p.total}, entropy ${p.entropy.toFixed(2)}`,
    );
    for (const s of p.topFlat.slice(0, 5))
      out.push(`  flat ${(s.flatShare * 100).toFixed(1)}% ${s.function} ${s.file}:${s.line}`);
    for (const g of p.growth?.stacks.slice(0, 3) ?? []) {
      out.push(
        `  grew ${g.before} -> ${g.after} (${g.perMinute.toFixed(1)}/min): ${g.stack.slice(0, 6).join(' <- ')}`,
      );
    }
  }
  const t = ev.trace;
  if (t) {
    out.push(
      `trace ${t.artifact}${t.generated ? ' (generated)' : ''}: ${t.eventCount} events, jitter ${t.jitterMs.toFixed(2)} ms`,
    );
    for (const p of t.probes) out.push(`  ${p.probe}: ${p.count} (${p.ratePerSec.toFixed(1)}/s)`);
    for (const s of t.spawnSites.filter((x) => x.outlier).slice(0, 3))
      out.push(`  spawn outlier ${s.site}: ${s.count} (z=${s.zScore.toFixed(1)})`);
    if (t.panic) {
      out.push(`  panic in goroutine ${t.panic.goid}: ${t.panic.type}: ${t.panic.message}`);
      for (const b of t.panic.before.slice(-5)) out.push(`    before: ${b.probe} ${b.function ?? ''}`);
    }
  }
  return out.join('\n');
}

/** Builds the context; sections are added in priority order and the last ones cut to the budget. */
export async function buildContext(input: ContextInput): Promise<BuiltContext> {
  const { evidence: ev, source, nonce } = input;
  const sections: Section[] = [];
  const add = (title: string, kind: string, body: string | undefined) => {
    if (body && body.trim() !== '') sections.push({ title, body: fence(kind, body, nonce) });
  };
  if (ev.failure) add('Failure (parsed from the artifacts)', 'failure', failureText(ev.failure, 6));
  for (const o of ev.otherFailures.slice(0, 2))
    add('Another failure in the same artifacts', 'failure', failureText(o, 2));
  add(
    'Evidence items (cite these ids)',
    'evidence',
    ev.items
      .map(
        (i) =>
          `${i.id} [${i.source}] ${i.summary}${i.location ? ` @ ${i.location.function} ${i.location.file}:${i.location.line}` : ''}`,
      )
      .join('\n'),
  );
  add(
    'Suspects ranked by ingest',
    'suspects',
    ev.suspects
      .slice(0, 8)
      .map(
        (s, n) =>
          `${n + 1}. ${s.location.function} ${s.location.file}:${s.location.line} (score ${s.score.toFixed(2)}; ${s.reasons.map((r) => `${r.evidenceId}: ${r.detail}`).join('; ')})`,
      )
      .join('\n'),
  );
  const cands = await candidates(ev, source);
  for (const c of cands)
    add(
      `Source of ${c.function} (>> marks lines on the failure's path)`,
      'source',
      await sourceOf(c, source, cands),
    );
  const top = cands[0];
  if (top) {
    const callers = await source.callers(top.function);
    const lines = await Promise.all(
      callers
        .slice(0, 8)
        .map(
          async (c) =>
            `${c.function} ${c.file}:${c.line}: ${(await source.lines(c.file))?.[c.line - 1]?.trim() ?? ''}`,
        ),
    );
    add(`Callers of ${top.function}`, 'callers', lines.join('\n'));
    add('Recent commits touching the blamed lines', 'git-history', await history(top, source));
  }
  add('Profile and trace highlights', 'profiles', profileText(ev));
  return fitToBudget(sections, input.budgetTokens, cands);
}

function fitToBudget(sections: Section[], budget: number, cands: CodeLocation[]): BuiltContext {
  const parts: string[] = [];
  const omitted: string[] = [];
  let used = 0;
  for (const s of sections) {
    const text = `### ${s.title}\n${s.body}`;
    const cost = tokens(text) + 1;
    if (used + cost <= budget) {
      parts.push(text);
      used += cost;
      continue;
    }
    const room = (budget - used) * 4 - 200;
    if (room > 400) {
      // Cut inside the fence and close it again so the data stays labelled.
      const lines = s.body.split('\n');
      const close = lines.pop() ?? '';
      let kept = '';
      for (const line of lines) {
        if (kept.length + line.length + 1 > room) break;
        kept += `${line}\n`;
      }
      const cut = `### ${s.title} (cut for the token budget)\n${kept}${close}`;
      parts.push(cut);
      used += tokens(cut) + 1;
      omitted.push(`${s.title} (cut)`);
    } else {
      omitted.push(s.title);
    }
  }
  return { text: parts.join('\n\n'), tokens: used, candidates: cands, omitted };
}
