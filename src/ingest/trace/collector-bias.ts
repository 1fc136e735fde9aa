/** Load bias of a (PIE) binary in a running process, from /proc/PID/maps and the binary's segments. */
import { readFileSync, statSync } from 'node:fs';

export interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
}

export interface Mapping {
  start: number;
  end: number;
  offset: number;
  dev: string;
  inode: number;
  path: string;
}

const PAGE = 4096;
const pageFloor = (n: number) => n - (n % PAGE);

/** Parses /proc/PID/maps lines (`start-end perms offset dev inode path`). */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    out.push({
      start: Number.parseInt(m[1] ?? '0', 16),
      end: Number.parseInt(m[2] ?? '0', 16),
      offset: Number.parseInt(m[3] ?? '0', 16),
      dev: m[4] ?? '',
      inode: Number(m[5]),
      path: (m[6] ?? '').trim(),
    });
  }
  return out;
}

/**
 * bias = runtime address - link-time address. A mapping of file offset `offset` at `start`
 * belongs to the PT_LOAD segment holding that offset, whose link-time address for that offset
 * is vaddr + (offset - segment.offset). 0 for non-PIE executables. undefined when the file
 * (matched by inode) is not mapped in the process.
 */
export function loadBias(maps: Mapping[], inode: number, segments: Segment[]): number | undefined {
  for (const m of maps) {
    if (m.inode !== inode) continue;
    // Segments map from page boundaries: compare page-aligned offsets (vaddr ≡ offset mod page).
    const seg = segments.find(
      (s) => m.offset >= pageFloor(s.offset) && m.offset < s.offset + Math.max(s.filesz, 1),
    );
    if (seg === undefined) continue;
    return m.start - (pageFloor(seg.vaddr) + (m.offset - pageFloor(seg.offset)));
  }
  return undefined;
}

/** The bias of `binary` in process `pid`, or undefined when that process does not map it. */
export function processBias(pid: number, binary: string, segments: Segment[]): number | undefined {
  const inode = statSync(binary).ino;
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    // The process is gone (or never was): it maps nothing.
    return undefined;
  }
  return loadBias(parseMaps(maps), inode, segments);
}
