/**
 * The Go side of the collector's knowledge of a binary: native/goinspect (Go's debug/elf, dwarf,
 * buildinfo and gosym) built once per source version, then run as a co-process that answers
 * symbolize / lookup / panic requests as JSON lines.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { IngestError, MedicError } from '../../core/errors.js';
import { run } from '../../core/exec.js';
import { projectRoot } from './collector-native.js';

export const InspectInfo = z.object({
  goVersion: z.string(),
  module: z.string(),
  arch: z.string(),
  pie: z.boolean(),
  segments: z.array(z.object({ vaddr: z.number(), offset: z.number(), filesz: z.number() })),
  symbols: z.record(z.string(), z.number()),
  /** Per runtime function: bytes from its entry to its body, past the stack check. */
  probeOffsets: z.record(z.string(), z.number()),
  offsets: z.record(z.string(), z.number()),
});
export type InspectInfo = z.infer<typeof InspectInfo>;

const InspectError = z.object({ kind: z.string(), message: z.string() });
const Opening = z.union([z.object({ info: InspectInfo }), z.object({ error: InspectError })]);
const CallSite = z.object({
  function: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
});
/** The innermost function at a PC; `callers`, outward, when its code is inlined into them. */
const Frame = CallSite.extend({
  entry: z.number(),
  callers: z.array(CallSite).optional(),
});
export type InspectFrame = z.infer<typeof Frame>;
const Symbolized = z.object({ frames: z.array(Frame.nullable()) });
const Found = z.object({ addr: z.number(), offset: z.number() });
export type FoundFunction = z.infer<typeof Found>;
const Lookup = z.object({
  found: z.record(z.string(), Found),
  missing: z.record(z.string(), z.array(z.string()).nullable()),
});
const Panic = z.object({ type: z.string(), message: z.string() });

/** Builds native/goinspect into a per-source-hash cache directory (concurrent callers race safely). */
export async function goinspectBinary(goBinary: string): Promise<string> {
  const src = join(projectRoot(), 'native', 'goinspect');
  const hash = createHash('sha256');
  for (const name of readdirSync(src).sort()) {
    if (name.endsWith('.go') || name === 'go.mod') hash.update(name).update(readFileSync(join(src, name)));
  }
  const dir = join(tmpdir(), `medic-goinspect-${hash.digest('hex').slice(0, 16)}`);
  const exe = join(dir, 'goinspect');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const partial = `${exe}.${process.pid}.tmp`;
  const built = await run([goBinary, 'build', '-trimpath', '-o', partial, '.'], {
    cwd: src,
    timeoutMs: 300_000,
  });
  if (built.exitCode !== 0) {
    throw new MedicError(
      'MEDIC_ERR_INGEST_TRACE_UNAVAILABLE',
      `cannot build native/goinspect with ${goBinary}: ${built.stderr.trim() || built.stdout.trim()}`,
    );
  }
  renameSync(partial, exe);
  return exe;
}

/** A running goinspect for one binary. Requests are answered in order, one line each. */
export class GoInspector {
  private readonly waiting: Array<(line: string) => void> = [];
  private closed = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly info: InspectInfo,
    lines: AsyncIterator<string>,
  ) {
    void this.pump(lines);
  }

  /** Opens `binary`; throws IngestError MEDIC_ERR_INGEST_TRACE_BINARY saying why it cannot be traced. */
  static async open(binary: string, goBinary = process.env.MEDIC_GO ?? 'go'): Promise<GoInspector> {
    const exe = await goinspectBinary(goBinary);
    const child = spawn(exe, [binary], { stdio: ['pipe', 'pipe', 'pipe'] });
    // A failed spawn ends stdout, which the readers below turn into an error; no crash here.
    child.on('error', () => {});
    child.stdin.on('error', () => {});
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done === true) {
      child.kill();
      throw new MedicError(
        'MEDIC_ERR_INGEST_TRACE_UNAVAILABLE',
        `goinspect exited without answering for ${binary}`,
      );
    }
    const opening = Opening.parse(JSON.parse(first.value));
    if ('error' in opening) {
      child.stdin.end();
      throw new IngestError('MEDIC_ERR_INGEST_TRACE_BINARY', opening.error.message, {
        details: opening.error,
      });
    }
    return new GoInspector(child, opening.info, lines);
  }

  private async pump(lines: AsyncIterator<string>): Promise<void> {
    for (;;) {
      const next = await lines.next();
      if (next.done === true) break;
      this.waiting.shift()?.(next.value);
    }
    this.closed = true;
    for (const waiter of this.waiting.splice(0))
      waiter('{"error":{"kind":"closed","message":"goinspect exited"}}');
  }

  private async request<T>(body: object, schema: z.ZodType<T>): Promise<T> {
    if (this.closed)
      throw new MedicError('MEDIC_ERR_INGEST_TRACE_UNAVAILABLE', 'goinspect is no longer running');
    const line = await new Promise<string>((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${JSON.stringify(body)}\n`);
    });
    const parsed = schema.safeParse(JSON.parse(line));
    if (!parsed.success) {
      throw new MedicError(
        'MEDIC_ERR_INGEST_TRACE_UNAVAILABLE',
        `goinspect answered unexpectedly: ${line.slice(0, 200)}`,
      );
    }
    return parsed.data;
  }

  /** Link-time PCs to frames (pclntab); null for PCs outside Go code. */
  async symbolize(pcs: number[]): Promise<Array<InspectFrame | null>> {
    if (pcs.length === 0) return [];
    return (await this.request({ op: 'symbolize', pcs }, Symbolized)).frames;
  }

  /** Function symbols by name with their probe offsets; missing names come with similar names as suggestions. */
  async lookup(
    names: string[],
  ): Promise<{ found: Record<string, FoundFunction>; missing: Record<string, string[]> }> {
    const res = await this.request({ op: 'lookup', names }, Lookup);
    const missing: Record<string, string[]> = {};
    for (const [name, similar] of Object.entries(res.missing)) missing[name] = similar ?? [];
    return { found: res.found, missing };
  }

  /** The panic value's type name and the message Go prints for it ("" when a probe cannot know it). */
  async describePanic(
    typeVaddr: number,
    raw: Buffer,
    str: Buffer,
    strTotal: number,
  ): Promise<z.infer<typeof Panic>> {
    const body = {
      op: 'panic',
      type: typeVaddr,
      raw: raw.toString('base64'),
      str: str.toString('base64'),
      strTotal,
    };
    return this.request(body, Panic);
  }

  close(): void {
    this.child.stdin.end();
  }
}
