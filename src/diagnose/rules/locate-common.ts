/** What the locators share: their type, the runners-up from ingest's suspects, the kind of a blocking state. */
import type { CodeLocation, Evidence } from '../../core/model.js';
import { pushUnique, sameFunction } from '../evidence-view.js';
import type { SourceIndex } from '../ports.js';
import type { BlockKind, Located } from './facts.js';

export type Locator = (ev: Evidence, src: SourceIndex) => Promise<Located | undefined>;

/** Ingest's ranked suspects that are not already listed, as runners-up. */
export function withSuspects(ev: Evidence, list: CodeLocation[], exclude: CodeLocation): CodeLocation[] {
  const out = [...list];
  for (const s of ev.suspects) if (!sameFunction(s.location, exclude)) pushUnique(out, s.location);
  return out.filter((l) => !sameFunction(l, exclude));
}

export function blockKindOf(state: string): BlockKind | undefined {
  const s = state.toLowerCase();
  if (s.includes('rwmutex')) return 'rwmutex';
  if (s.includes('mutex')) return 'mutex';
  if (s.includes('waitgroup')) return 'waitgroup';
  if (s.includes('cond')) return 'cond';
  if (s.startsWith('chan ')) return 'channel';
  if (s.startsWith('select')) return 'select';
  if (s.includes('semacquire') || s.includes('sleep') || s.includes('wait')) return 'other';
  return undefined;
}
