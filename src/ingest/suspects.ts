/** Evidence items (E1, E2, ...) as they are found, and the suspect board that ranks code locations citing them. */
import type { CodeLocation, EvidenceItem, EvidenceSource, Suspect } from '../core/model.js';

/** Numbers items in the order they are added; every suspect reason points at one of them. */
export class ItemLog {
  readonly items: EvidenceItem[] = [];

  add(source: EvidenceSource, summary: string, artifact?: string, location?: CodeLocation): string {
    const id = `E${this.items.length + 1}`;
    this.items.push({
      id,
      source,
      summary,
      ...(artifact === undefined ? {} : { artifact }),
      ...(location === undefined ? {} : { location }),
    });
    return id;
  }
}

type Reason = Suspect['reasons'][number];

/**
 * Base scores per kind of evidence, so that the ranking reads as "how directly does this
 * artifact point at this line": the crashing frame of a panic is as direct as it gets; a hot
 * function in a CPU profile is only a hint. Scores of one location from several pieces of
 * evidence add up, so agreement between artifacts lifts a suspect.
 */
export const WEIGHT = {
  crashFrame: 1,
  raceAccess: 0.9,
  leakSite: 0.9,
  growthSite: 0.85,
  reentrantLock: 0.8,
  blockedBucket: 0.7,
  tracePanic: 0.6,
  spawnOutlier: 0.6,
  crashCaller: 0.5,
  hotFunction: 0.4,
  createdBy: 0.2,
  recentChange: 0.2,
} as const;

export class SuspectBoard {
  private readonly byKey = new Map<string, { location: CodeLocation; score: number; reasons: Reason[] }>();

  add(location: CodeLocation, score: number, reason: Reason): void {
    const key = `${location.file}:${location.line}\u0000${location.function}`;
    const entry = this.byKey.get(key) ?? { location, score: 0, reasons: [] };
    entry.score += score;
    if (!entry.reasons.some((r) => r.evidenceId === reason.evidenceId && r.detail === reason.detail)) {
      entry.reasons.push(reason);
    }
    this.byKey.set(key, entry);
  }

  has(location: CodeLocation): boolean {
    return this.byKey.has(`${location.file}:${location.line}\u0000${location.function}`);
  }

  /** Adds to every suspect in `function` of `file` (recent changes speak about a function, not one line). */
  boostFunction(file: string, fn: string, score: number, reason: Reason): void {
    for (const entry of this.byKey.values()) {
      if (entry.location.file === file && entry.location.function === fn) {
        entry.score += score;
        entry.reasons.push(reason);
      }
    }
  }

  /** Current suspects, best first (ties keep insertion order: earlier evidence is more direct). */
  ranked(limit = 10): Suspect[] {
    // Below half a hundredth a suspect is noise (one idle goroutine among hundreds).
    return [...this.byKey.values()]
      .filter((e) => e.score >= 0.005)
      .map((e, i) => ({ e, i }))
      .sort((a, b) => b.e.score - a.e.score || a.i - b.i)
      .slice(0, limit)
      .map(({ e }) => ({
        location: e.location,
        score: Math.round(e.score * 1000) / 1000,
        reasons: e.reasons,
      }));
  }
}
