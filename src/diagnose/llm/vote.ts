/** Self-consistency: several answers vote on class and blamed function; confidence is the agreement. */
import type { CodeLocation } from '../../core/model.js';
import { sameFunction } from '../evidence-view.js';
import type { Answer } from './schema.js';

export interface Ballot {
  answer: Answer;
  alternatives: CodeLocation[];
  model: string;
}

export interface Outcome {
  winner: Ballot;
  /** Votes for the winner / answers asked for (failed samples count against agreement). */
  agreement: number;
  /** The other answers' blames by votes, then the winner's checked alternatives. */
  alternatives: CodeLocation[];
}

const keyOf = (a: Answer): string => `${a.rootCauseClass}|${a.location.file}|${a.location.function}`;

/** Picks the most voted class+location; ties go to the higher mean self-reported confidence, then the earlier answer. */
export function vote(ballots: readonly Ballot[], asked: number): Outcome | undefined {
  const groups = new Map<string, Ballot[]>();
  for (const b of ballots) groups.set(keyOf(b.answer), [...(groups.get(keyOf(b.answer)) ?? []), b]);
  const mean = (g: Ballot[]) => g.reduce((s, b) => s + b.answer.confidence, 0) / g.length;
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length || mean(b) - mean(a));
  const best = ranked[0];
  if (!best) return undefined;
  const winner = [...best].sort((a, b) => b.answer.confidence - a.answer.confidence)[0] as Ballot;
  const alternatives: CodeLocation[] = [];
  const add = (loc: CodeLocation) => {
    if (!sameFunction(loc, winner.answer.location) && !alternatives.some((a) => sameFunction(a, loc)))
      alternatives.push(loc);
  };
  // Blames other answers voted for are stronger than the winner's own list of runners-up.
  for (const g of ranked.slice(1)) add((g[0] as Ballot).answer.location);
  for (const loc of winner.alternatives) add(loc);
  return { winner, agreement: best.length / Math.max(1, asked), alternatives };
}
