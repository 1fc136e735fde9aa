/**
 * Comparing two builds' answers to the same request: status, body (JSON structurally, by path) and
 * the headers that carry meaning. A difference in a field the original's own answer does not
 * reproduce (it differs from the recording) is explained as run-to-run variation, not blamed.
 */
import type { ReplayRequest } from '../core/model.js';
import type { ReplayResponse } from './sandbox/job.js';

/** Headers that change between runs or describe the transport, not the answer. */
const IGNORED_HEADERS = new Set([
  'date',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'age',
  'expires',
  'last-modified',
  'x-request-id',
  'x-trace-id',
  'traceparent',
  'server-timing',
]);

export interface ResponseDifference {
  /** Index of the request in the traffic. */
  index: number;
  /** `METHOD /path`. */
  request: string;
  /** `status`, `connection`, `header:<name>`, `body` or `body:<json path>`. */
  field: string;
  original: string;
  patched: string;
  /** Why the difference is not blamed on the patch, when it is not. */
  explained?: string;
}

type Fields = Map<string, string>;

function jsonLeaves(value: unknown, path: string, out: Fields): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    if (entries.length === 0) out.set(`body:${path || '$'}`, Array.isArray(value) ? '[]' : '{}');
    for (const [key, child] of entries)
      jsonLeaves(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, out);
    return;
  }
  out.set(`body:${path || '$'}`, JSON.stringify(value));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The comparable fields of one answer; JSON bodies become one field per leaf so differences are precise. */
export function fieldsOf(
  response: ReplayResponse | ReplayRequest['response'] | undefined,
  jsonBodies: boolean,
): Fields {
  const out: Fields = new Map();
  if (response === undefined) return out;
  if ('error' in response) {
    out.set('connection', response.error);
    return out;
  }
  out.set('status', String(response.status));
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) out.set(`header:${lower}`, value);
  }
  const json = jsonBodies ? parseJson(response.body) : { ok: false as const };
  if (json.ok) jsonLeaves(json.value, '$', out);
  else out.set('body', response.body);
  return out;
}

function isJson(response: ReplayResponse | undefined): boolean {
  return response !== undefined && !('error' in response) && parseJson(response.body).ok;
}

/** Differences between the original's and the patched build's answers, request by request. */
export function compareResponses(
  requests: readonly ReplayRequest[],
  original: readonly ReplayResponse[],
  patched: readonly ReplayResponse[],
): ResponseDifference[] {
  const diffs: ResponseDifference[] = [];
  requests.forEach((req, index) => {
    const a = original[index];
    const b = patched[index];
    const json = isJson(a) && isJson(b);
    const fa = fieldsOf(a, json);
    const fb = fieldsOf(b, json);
    const recorded = req.response ? fieldsOf(req.response, json) : undefined;
    const names = new Set([...fa.keys(), ...fb.keys()]);
    for (const field of names) {
      const va = fa.get(field) ?? '(absent)';
      const vb = fb.get(field) ?? '(absent)';
      if (va === vb) continue;
      const rv = recorded?.get(field) ?? '(absent)';
      // A status or a connection failure is never noise; other fields are when the original itself varies.
      const volatile = recorded !== undefined && rv !== va && field !== 'status' && field !== 'connection';
      diffs.push({
        index,
        request: `${req.method} ${req.path}`,
        field,
        original: va,
        patched: vb,
        ...(volatile
          ? { explained: 'the original build itself answers this differently from the recording' }
          : {}),
      });
    }
  });
  return diffs;
}

/** One line per difference, for the check excerpt. */
export function describeDifferences(diffs: readonly ResponseDifference[], limit = 20): string {
  const lines = diffs.slice(0, limit).map((d) => {
    const tag = d.explained ? ' (explained: varies between runs)' : '';
    return `#${d.index + 1} ${d.request}: ${d.field}: ${clip(d.original)} -> ${clip(d.patched)}${tag}`;
  });
  if (diffs.length > limit) lines.push(`… ${diffs.length - limit} more differences`);
  return lines.join('\n');
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}
