/**
 * Searches bounded to one line. `String.prototype.indexOf` would run past the line end through
 * the rest of a 100 MB text whenever the needle is absent: quadratic on big inputs.
 */

/** First index of `needle` in s within [b, e), or -1. */
export function find(s: string, needle: string, b: number, e: number): number {
  const first = needle.charCodeAt(0);
  const last = e - needle.length;
  for (let i = b; i <= last; i++) {
    if (s.charCodeAt(i) === first && (needle.length === 1 || s.startsWith(needle, i))) return i;
  }
  return -1;
}

/** Last index of the character code `c` in s within [b, e), or -1. */
export function findLast(s: string, c: number, b: number, e: number): number {
  for (let i = e - 1; i >= b; i--) if (s.charCodeAt(i) === c) return i;
  return -1;
}
