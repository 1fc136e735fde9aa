/** Go runtime function names (`example.com/shop/store.(*Cart).Add`) split, and in the short forms people read. */
import type { CodeLocation } from './model.js';

/** Where the import path's last `/` is: slashes inside type arguments (`Map[a.com/x.T]`) do not count. */
function lastPathSlash(name: string): number {
  const bracket = name.indexOf('[');
  return name.lastIndexOf('/', bracket === -1 ? name.length : bracket);
}

/** Splits a runtime name into import path and symbol: `a.com/m/pkg.(*T).M` → `a.com/m/pkg` + `(*T).M`. */
export function splitRuntimeName(name: string): { packagePath: string; symbol: string } {
  const dot = name.indexOf('.', lastPathSlash(name) + 1);
  if (dot === -1) return { packagePath: '', symbol: name };
  return { packagePath: name.slice(0, dot), symbol: name.slice(dot + 1) };
}

/** `(*Cart).Add` for `example.com/shop/store.(*Cart).Add`: the symbol, without its package. */
export function shortFunction(qualified: string): string {
  return splitRuntimeName(qualified).symbol;
}

/** `store.(*Cart).Add` for `example.com/shop/store.(*Cart).Add`: the name after the import path's directories. */
export function packageLocalName(qualified: string): string {
  return qualified.slice(lastPathSlash(qualified) + 1);
}

/** `(*Cart).Add at store/cart.go:42`. */
export function at(loc: CodeLocation): string {
  return `${shortFunction(loc.function)} at ${loc.file}:${loc.line}`;
}
