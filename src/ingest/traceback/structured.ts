/**
 * Structured log lines: JSON (zap, logrus, slog, docker json-file, GCP) and logfmt (slog text,
 * logrus text) records that wrap a stderr line or carry an escaped stack in a field.
 */

export type StructuredLine =
  | { kind: 'wrapped'; line: string }
  | { kind: 'stack'; stack: string; message: string | undefined; panicky: boolean };

/** Fields that hold a whole stderr line when a log shipper wraps output (docker json-file, journald JSON, GCP). */
const WRAPPERS = ['log', 'MESSAGE', 'textPayload'];
/** Fields that name the panic value or error, best first. */
const MESSAGE_KEYS = [
  'panic',
  'panicvalue',
  'recovered',
  'error',
  'err',
  'reason',
  'exception',
  'msg',
  'message',
];

/** A field value that is a Go stack: at least one frame, a function line then a tab-indented `file:line`. */
export function looksLikeStack(v: string): boolean {
  return v.includes('\n\t') && /\n\t[^\n]*:\d+(?: \+0x[0-9a-f]+)?(?:\n|$)/.test(v);
}

function fromFields(fields: ReadonlyArray<readonly [string, string]>): StructuredLine | undefined {
  const stack = fields.find(([, v]) => looksLikeStack(v));
  if (stack === undefined) {
    const wrapped = fields.find(([k, v]) => WRAPPERS.includes(k) && !v.slice(0, -1).includes('\n'));
    return wrapped === undefined ? undefined : { kind: 'wrapped', line: wrapped[1] };
  }
  let message: string | undefined;
  for (const want of MESSAGE_KEYS) {
    const hit = fields.find(([k, v]) => k.toLowerCase() === want && v !== stack[1]);
    if (hit !== undefined) {
      message = hit[1];
      break;
    }
  }
  // Error-level logs carry stacks too (zap adds one to every error); only panics are failures.
  const panicky =
    fields.some(([k]) => /panic|recover/i.test(k)) ||
    /panic/i.test(message ?? '') ||
    /(?:^|\n)(?:panic\(|runtime\.gopanic)/.test(stack[1]);
  return { kind: 'stack', stack: stack[1], message, panicky };
}

function collect(value: unknown, key: string, out: Array<readonly [string, string]>, depth: number): void {
  if (typeof value === 'string') out.push([key, value]);
  else if (value !== null && typeof value === 'object' && depth < 3) {
    for (const [k, v] of Object.entries(value)) collect(v, k, out, depth + 1);
  }
}

/** A JSON object log line; undefined when the line is not JSON or holds nothing of interest. */
export function readJsonLine(line: string): StructuredLine | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined; // not JSON after all: an ordinary line
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const fields: Array<readonly [string, string]> = [];
  collect(parsed, '', fields, 0);
  return fromFields(fields);
}

/** Unquotes a Go `%q` / strconv.Quote string body (between the quotes). */
export function unquoteGo(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, esc: string) => {
    switch (esc[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
      default:
        return esc;
    }
  });
}

/** A logfmt line (`time=... level=ERROR msg="panic" stack="goroutine 1 [running]:\n..."`). */
export function readLogfmtLine(line: string): StructuredLine | undefined {
  const fields: Array<readonly [string, string]> = [];
  const pair = /([A-Za-z_][\w.-]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  for (let m = pair.exec(line); m !== null; m = pair.exec(line)) {
    const key = m[1] ?? '';
    fields.push([key, m[2] === undefined ? (m[3] ?? '') : unquoteGo(m[2])]);
  }
  const found = fromFields(fields);
  return found?.kind === 'stack' ? found : undefined;
}
