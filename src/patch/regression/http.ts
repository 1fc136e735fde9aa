/** The recorded request replayed through an HTTP handler in a test: httptest recorder and request, with the path values of its ServeMux route. */
import { findCallers, type GoFunction, type GoRepo } from '../../lang/go/index.js';
import type { Harvest } from './recorded.js';
import { type BuildContext, fresh, goString, goText } from './values.js';

export async function handlerCall(
  ctx: BuildContext,
  repo: GoRepo,
  fn: GoFunction,
  callee: string,
  harvest: Harvest,
): Promise<string[]> {
  const request = harvest.request;
  if (request === undefined) return [];
  ctx.imports.add('net/http/httptest');
  const rec = fresh(ctx, 'rec');
  const req = fresh(ctx, 'req');
  const body = request.body === '' ? 'nil' : `strings.NewReader(${goText(request.body)})`;
  if (request.body !== '') ctx.imports.add('strings');
  const out = [
    `${rec} := httptest.NewRecorder()`,
    `${req} := httptest.NewRequest(${goString(request.method)}, ${goString(request.path)}, ${body})`,
  ];
  for (const [k, v] of Object.entries(request.headers))
    out.push(`${req}.Header.Set(${goString(k)}, ${goString(v)})`);
  for (const [k, v] of await pathValues(repo, fn, request.path))
    out.push(`${req}.SetPathValue(${goString(k)}, ${goString(v)})`);
  // The handler is called directly, past any recovering middleware, so the panic fails the test.
  // Any answer passes: a guard that answers an error is a fix; the status is the differential replay's business.
  out.push(`${callee}(${rec}, ${req})`);
  return out;
}

/** Wildcards of the ServeMux pattern the handler is registered under, matched against the recorded path. */
async function pathValues(repo: GoRepo, fn: GoFunction, path: string): Promise<[string, string][]> {
  for (const ref of await findCallers(repo, fn)) {
    if (ref.confidence !== 'reference') continue;
    const args = ref.node.parent?.type === 'argument_list' ? ref.node.parent : ref.node.parent?.parent;
    const pattern = args?.namedChildren[0];
    if (pattern?.type !== 'interpreted_string_literal') continue;
    const route = pattern.text
      .slice(1, -1)
      .replace(/^[A-Z]+\s+/, '')
      .replace(/^[^/]+(?=\/)/, '');
    const values = matchRoute(route, new URL(path, 'http://recorded.invalid').pathname);
    if (values !== undefined) return values;
  }
  return [];
}

function matchRoute(route: string, path: string): [string, string][] | undefined {
  const want = route.split('/');
  const got = path.split('/');
  const out: [string, string][] = [];
  for (const [i, seg] of want.entries()) {
    const wild = /^\{([A-Za-z_]\w*)(\.\.\.)?\}$/.exec(seg);
    if (wild?.[1] !== undefined) {
      out.push([wild[1], wild[2] === undefined ? decodeURIComponent(got[i] ?? '') : got.slice(i).join('/')]);
      if (wild[2] !== undefined) return out;
    } else if (seg !== got[i] && !(seg === '' && i === want.length - 1)) {
      return undefined;
    }
  }
  return want.length === got.length || want[want.length - 1] === '' ? out : undefined;
}
