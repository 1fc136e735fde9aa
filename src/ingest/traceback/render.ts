/** Human-readable rendering of parsed failures: class, message, crash site, buckets, races (`medic parse`). */
import type { Failure, Frame, Goroutine, GoroutineBucket } from '../../core/model/failure.js';
import { signatureParts } from './signature.js';

export interface RenderOptions {
  /** Frames shown per stack. Default 5. */
  frames?: number;
  /** Buckets shown per failure. Default 10. */
  buckets?: number;
}

/** Panic messages are untrusted: control characters (ANSI escapes) are shown escaped, never sent to the terminal. */
export function printable(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10) || (c >= 0x7f && c <= 0x9f)) {
      out += `${text.slice(last, i)}\\x${c.toString(16).padStart(2, '0')}`;
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

function frameLine(f: Frame): string {
  const where = f.repoFile ?? f.file;
  const notes = [f.kind, ...(f.inlined ? ['inlined'] : [])].join(', ');
  return `${printable(f.function)}  ${printable(where)}:${f.line}  (${notes})`;
}

function stack(out: string[], frames: readonly Frame[], max: number, indent: string): void {
  for (const f of frames.slice(0, max)) out.push(`${indent}${frameLine(f)}`);
  if (frames.length > max) out.push(`${indent}... ${frames.length - max} more frames`);
}

function header(g: Goroutine): string {
  const attrs = [
    g.state,
    ...(g.waitMinutes === undefined ? [] : [`${g.waitMinutes} minutes`]),
    ...(g.lockedToThread ? ['locked to thread'] : []),
  ];
  return `goroutine ${g.id} [${printable(attrs.join(', '))}]`;
}

function bucketLine(b: GoroutineBucket): string {
  const top = b.frames.find((f) => f.kind === 'application') ?? b.frames[0];
  const where = top === undefined ? '(no frames)' : frameLine(top);
  return `${String(b.ids.length).padStart(6)}× [${printable(b.state)}] ${where}`;
}

function renderOne(out: string[], f: Failure, n: number, opts: Required<RenderOptions>): void {
  const flags = [...(f.recovered ? ['recovered'] : []), ...(f.truncated ? ['truncated'] : [])];
  const lines = `lines ${f.source.startLine}-${f.source.endLine}`;
  out.push(`${n}. ${f.kind} ${f.class}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}, ${lines}`);
  for (const line of printable(f.message).split('\n')) out.push(`   ${line}`);
  for (const link of f.panicChain.slice(1))
    out.push(`   then panic: ${printable(link.value.split('\n')[0] ?? '')}`);
  if (f.signal !== undefined) {
    const s = f.signal;
    const parts = [s.name, s.code && `code=${s.code}`, s.addr && `addr=${s.addr}`, s.pc && `pc=${s.pc}`];
    out.push(`   signal ${printable(parts.filter(Boolean).join(' '))}`);
  }
  out.push(`   signature ${f.signature}  (${printable(signatureParts(f).join(' | '))})`);
  for (const race of f.races) {
    for (const a of race.accesses) {
      const who = `${a.previous ? 'previous ' : ''}${a.kind} by goroutine ${a.goroutineId}`;
      out.push(`   ${who}${a.address === undefined ? '' : ` at ${a.address}`}:`);
      stack(out, a.frames, opts.frames, '     ');
    }
  }
  const crashed = f.goroutines.find((g) => g.id === f.crashedGoroutineId);
  if (crashed !== undefined && f.kind !== 'race') {
    out.push(`   crashed ${header(crashed)}:`);
    stack(out, crashed.frames, opts.frames, '     ');
  }
  if (f.goroutines.length > 1 && f.buckets.length > 0) {
    const level = f.buckets[0]?.level ?? '';
    out.push(`   ${f.goroutines.length} goroutines in ${f.buckets.length} buckets (${level}):`);
    for (const b of f.buckets.slice(0, opts.buckets)) out.push(`   ${bucketLine(b)}`);
    if (f.buckets.length > opts.buckets) out.push(`   ... ${f.buckets.length - opts.buckets} more buckets`);
  }
}

/** The failures as text, one numbered block each. */
export function renderFailures(
  failures: readonly Failure[],
  artifact: string,
  opts: RenderOptions = {},
): string {
  const o = { frames: opts.frames ?? 5, buckets: opts.buckets ?? 10 };
  const out = [`${printable(artifact)}: ${failures.length} failure${failures.length === 1 ? '' : 's'}`];
  failures.forEach((f, i) => {
    out.push('');
    renderOne(out, f, i + 1, o);
  });
  return `${out.join('\n')}\n`;
}
