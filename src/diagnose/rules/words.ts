/** Small phrase builders the knowledge base writes its explanations with, all from Facts. */

import { shortFunction } from '../../core/go-names.js';
import type { CodeLocation } from '../../core/model.js';
import type { Facts } from './facts.js';

/** `(*Cart).Add` */
export const fn = (loc: CodeLocation): string => shortFunction(loc.function);
/** `store/cart.go:42` */
export const at = (loc: CodeLocation): string => `${loc.file}:${loc.line}`;
/** `(*Cart).Add (store/cart.go:42)` */
export const place = (loc: CodeLocation): string => `${fn(loc)} (${at(loc)})`;
/** The blamed statement quoted, or a neutral phrase when the line could not be read. */
export const stmt = (f: Facts): string => (f.code ? `\`${f.code}\`` : `the statement at ${at(f.blamed)}`);
export const who = (f: Facts): string =>
  f.goroutineId === undefined ? 'the failing goroutine' : `goroutine ${f.goroutineId}`;
export const Who = (f: Facts): string => capitalise(who(f));
/** `, called from handler.(*API).Add (handler/api.go:30)` or nothing. */
export const calledFrom = (f: Facts): string => (f.caller ? `, called from ${place(f.caller)}` : '');
export const quoted = (message: string): string => (message ? `"${message}"` : 'no message');

export function capitalise(s: string): string {
  return s.length === 0 ? s : `${s[0]?.toUpperCase()}${s.slice(1)}`;
}

/** `12 goroutines` / `1 goroutine` */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Profile growth in the unit the profile counts in. */
export function growthText(f: Facts): string {
  const g = f.growth;
  if (!g) return '';
  const amount = (v: number) =>
    g.unit === 'bytes' ? `${(v / (1024 * 1024)).toFixed(1)} MiB` : `${Math.round(v)}`;
  const what = g.kind === 'goroutine' ? 'goroutines' : `${g.kind} ${g.unit}`;
  return `${what} on this stack grew from ${amount(g.before)} to ${amount(g.after)} in ${Math.round(g.seconds)} s (${amount(g.perMinute)} per minute)`;
}
