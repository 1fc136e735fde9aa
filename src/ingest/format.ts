/** Short human forms of profile values, shares and names, shared by evidence items and the CLI summary. */

/** A value in its profile unit: bytes as KiB/MiB/GiB, nanoseconds as µs/ms/s, counts as numbers. */
export function formatValue(value: number, unit: string): string {
  const sign = value < 0 ? '-' : '';
  const v = Math.abs(value);
  if (unit === 'bytes') {
    if (v >= 1024 ** 3) return `${sign}${(v / 1024 ** 3).toFixed(2)} GiB`;
    if (v >= 1024 ** 2) return `${sign}${(v / 1024 ** 2).toFixed(1)} MiB`;
    if (v >= 1024) return `${sign}${(v / 1024).toFixed(1)} KiB`;
    return `${sign}${v} B`;
  }
  if (unit === 'nanoseconds') {
    if (v >= 1e9) return `${sign}${(v / 1e9).toFixed(2)} s`;
    if (v >= 1e6) return `${sign}${(v / 1e6).toFixed(1)} ms`;
    if (v >= 1e3) return `${sign}${(v / 1e3).toFixed(1)} µs`;
    return `${sign}${v} ns`;
  }
  const n = Number.isInteger(v) ? String(v) : v.toFixed(1);
  return `${sign}${n}${unit === 'count' || unit === '' ? '' : ` ${unit}`}`;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 ? 0 : 1)}%`;
}

export { at, shortFunction } from '../core/go-names.js';

/** Untrusted text (panic values) on one line and clipped; never interpreted, only shown. */
export function clip(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

export function seconds(s: number): string {
  if (s >= 120) return `${(s / 60).toFixed(1)} min`;
  if (s >= 1) return `${s.toFixed(1)} s`;
  return `${(s * 1000).toFixed(0)} ms`;
}
