/**
 * What the incident recorded about the failing call: argument words from the traceback
 * (`f(0xc0000a, {0xc00001, 0x4}, 0x19)`) and the values in the triggering request.
 */
import { readFile } from 'node:fs/promises';
import { artifactPath } from '../../core/incident-dir.js';
import { type Incident, ReplayInput, ReplayRequest } from '../../core/model.js';

/** One top-level argument as printed: a word, a `{...}` group of words, or unknown (`...`, `_`). */
export type ArgWord =
  | { kind: 'word'; value: bigint; inaccurate: boolean }
  | { kind: 'group'; words: ArgWord[] }
  | { kind: 'unknown' };

/** Parses a traceback argument list. Malformed text yields unknowns, never an exception (it is untrusted). */
export function parseArgs(text: string | undefined): ArgWord[] {
  if (text === undefined) return [];
  let at = 0;
  const list = (close: string | undefined): ArgWord[] => {
    const out: ArgWord[] = [];
    while (at < text.length) {
      const c = text[at];
      if (c === ' ' || c === ',') {
        at++;
      } else if (c === '{') {
        at++;
        out.push({ kind: 'group', words: list('}') });
      } else if (c === close) {
        at++;
        return out;
      } else {
        const token = /^[^,{} ]+/.exec(text.slice(at))?.[0] ?? text.slice(at, at + 1);
        at += token.length;
        const hex = /^0x([0-9a-fA-F]{1,16})(\?)?$/.exec(token);
        out.push(
          hex === null
            ? { kind: 'unknown' }
            : { kind: 'word', value: BigInt(`0x${hex[1]}`), inaccurate: hex[2] === '?' },
        );
      }
    }
    return out;
  };
  return list(undefined);
}

/** Values seen in the triggering request (JSON values of the body, path segments, query values) and the recorded run. */
export interface Harvest {
  strings: string[];
  numbers: number[];
  request?: ReplayRequest;
  /** The recorded run's arguments: the service's, then a batch input's. */
  runArgs: string[];
  /** A batch input's files (the ones its arguments name first) and stdin: what a parser would have read. */
  inputs: { name: string; content: string }[];
}

export async function harvestRequest(incident: Incident, incidentDir: string): Promise<Harvest> {
  const ref = incident.artifacts.find((a) => a.kind === 'request');
  const harvest: Harvest = { strings: [], numbers: [], runArgs: [...incident.service.run.args], inputs: [] };
  const input = incident.artifacts.find((a) => a.kind === 'input');
  if (input !== undefined) {
    try {
      const recorded = ReplayInput.parse(
        JSON.parse(await readFile(artifactPath(incidentDir, input), 'utf8')),
      );
      harvest.runArgs.push(...recorded.args);
      const files = Object.entries(recorded.files).sort(
        ([a], [b]) => Number(recorded.args.includes(b)) - Number(recorded.args.includes(a)),
      );
      for (const [name, content] of files) harvest.inputs.push({ name, content });
      if (recorded.stdin !== '') harvest.inputs.push({ name: '(stdin)', content: recorded.stdin });
    } catch {
      // A missing or malformed input artifact only narrows what the test can replay.
    }
  }
  if (ref === undefined) return harvest;
  let request: ReplayRequest;
  try {
    request = ReplayRequest.parse(JSON.parse(await readFile(artifactPath(incidentDir, ref), 'utf8')));
  } catch {
    // A missing or malformed request artifact only narrows what the test can replay.
    return harvest;
  }
  harvest.request = request;
  const url = new URL(request.path, 'http://recorded.invalid');
  for (const seg of url.pathname.split('/')) if (seg !== '') harvest.strings.push(decodeURIComponent(seg));
  for (const value of url.searchParams.values()) harvest.strings.push(value);
  try {
    collect(JSON.parse(request.body) as unknown, harvest);
  } catch {
    if (request.body !== '') harvest.strings.push(request.body);
  }
  return harvest;
}

function collect(value: unknown, into: Harvest): void {
  if (typeof value === 'string') into.strings.push(value);
  else if (typeof value === 'number') into.numbers.push(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) collect(v, into);
}

const SIGNED = /^(int|int8|int16|int32|int64|rune)$/;
const UNSIGNED = /^(uint|uint8|uint16|uint32|uint64|uintptr|byte)$/;

/**
 * A Go literal for a parameter of `type` from its recorded word, or undefined when the traceback
 * cannot give it (pointers, structs, inaccurate or elided words). Strings only record their
 * length: a request value of that length is used, else a placeholder of that length.
 */
export function literalFor(
  type: string,
  word: ArgWord | undefined,
  harvest: Pick<Harvest, 'strings'> & Partial<Harvest>,
): { code: string; note: string } | undefined {
  if (word === undefined || word.kind === 'unknown') return undefined;
  if (word.kind === 'word' && !word.inaccurate) {
    if (SIGNED.test(type)) {
      const v = BigInt.asIntN(64, word.value);
      return { code: v.toString(), note: 'recorded in the traceback' };
    }
    if (UNSIGNED.test(type)) return { code: word.value.toString(), note: 'recorded in the traceback' };
    if (type === 'bool')
      return { code: word.value === 0n ? 'false' : 'true', note: 'recorded in the traceback' };
  }
  if (type === 'string' && word.kind === 'group') {
    const len = word.words[1];
    if (len?.kind !== 'word' || len.inaccurate || len.value > 4096n) return undefined;
    const n = Number(len.value);
    const match = harvest.strings.find((s) => Buffer.byteLength(s, 'utf8') === n);
    if (match !== undefined)
      return { code: JSON.stringify(match), note: `a ${n}-byte string; the request holds this one` };
    return { code: JSON.stringify('x'.repeat(n)), note: `a ${n}-byte string whose content was not recorded` };
  }
  return undefined;
}
