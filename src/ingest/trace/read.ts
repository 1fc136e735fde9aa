/** Reads a trace file (NDJSON of TraceEvent, an optional header first) and checks every line against the schema. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { IngestError } from '../../core/errors.js';
import { TRACE_EVENT_VERSION, TraceEvent, TraceHeader } from '../../core/model.js';

export interface TraceFile {
  header: TraceHeader | undefined;
  events: TraceEvent[];
}

export interface ReadTraceOptions {
  /** Events accepted before the file is refused as too large for one incident. Default 5,000,000. */
  maxEvents?: number;
}

/** Parses NDJSON text; `artifact` names the file in errors. Blank lines are allowed. */
export function parseTrace(text: string, artifact: string, options: ReadTraceOptions = {}): TraceFile {
  const reader = new LineReader(artifact, options);
  let n = 0;
  for (const line of text.split('\n')) reader.line(line, ++n);
  return reader.result();
}

/** Streams the file line by line, so a large trace is never held twice in memory. */
export async function readTrace(
  path: string,
  artifact: string,
  options: ReadTraceOptions = {},
): Promise<TraceFile> {
  const reader = new LineReader(artifact, options);
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const line of lines) reader.line(line, ++n);
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw new IngestError(
      'MEDIC_ERR_INGEST_ARTIFACT_UNREADABLE',
      `cannot read ${artifact}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    lines.close();
    stream.destroy();
  }
  return reader.result();
}

class LineReader {
  private header: TraceHeader | undefined;
  private readonly events: TraceEvent[] = [];
  private readonly maxEvents: number;

  constructor(
    private readonly artifact: string,
    options: ReadTraceOptions,
  ) {
    this.maxEvents = options.maxEvents ?? 5_000_000;
  }

  line(raw: string, n: number): void {
    const line = raw.trim();
    if (line === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw this.invalid(n, `not JSON: ${JSON.stringify(line.slice(0, 60))}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw this.invalid(n, 'not a JSON object');
    const record = json as Record<string, unknown>;
    if (record.v !== TRACE_EVENT_VERSION) {
      throw this.invalid(
        n,
        `event version ${JSON.stringify(record.v)}; Medic reads version ${TRACE_EVENT_VERSION}`,
      );
    }
    if (record.kind === 'header') {
      if (this.header !== undefined || this.events.length > 0)
        throw this.invalid(n, 'a header may only be the first line');
      this.header = this.check(TraceHeader, record, n);
      return;
    }
    if (this.events.length >= this.maxEvents) {
      throw this.invalid(n, `more than ${this.maxEvents} events; record a shorter trace`);
    }
    this.events.push(this.check(TraceEvent, record, n));
  }

  result(): TraceFile {
    return { header: this.header, events: this.events };
  }

  private check<S extends typeof TraceEvent | typeof TraceHeader>(schema: S, value: unknown, n: number) {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as S['_output'];
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw this.invalid(n, issues);
  }

  private invalid(n: number, problem: string): IngestError {
    return new IngestError('MEDIC_ERR_INGEST_TRACE_INVALID', `${this.artifact} line ${n}: ${problem}`);
  }
}
