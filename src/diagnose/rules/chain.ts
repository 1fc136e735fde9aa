/** The evidence chain of a rules diagnosis: which Evidence items support the blame, each with its claim. */
import type { CodeLocation, Evidence, EvidenceItem } from '../../core/model.js';
import { itemsAbout, sameFunction, suspectReasonIds } from '../evidence-view.js';
import { redacted } from '../redact.js';
import type { Facts } from './facts.js';
import { at, fn } from './words.js';

type Role = 'failure' | 'blamed' | 'support' | 'other' | 'history' | 'context' | 'stack';

interface Link {
  item: EvidenceItem;
  role: Role;
}

const MAX_LINKS = 6;

function touches(item: EvidenceItem, loc: CodeLocation | undefined): boolean {
  return Boolean(loc && item.location && sameFunction(item.location, loc));
}

/** Picks the items in the order a reviewer would read them: the failure, the blamed line, support, the peer. */
function pick(ev: Evidence, f: Facts): Link[] {
  const links: Link[] = [];
  const add = (item: EvidenceItem | undefined, role: Role) => {
    if (item && !links.some((l) => l.item.id === item.id)) links.push({ item, role });
  };
  const byId = (id: string) => ev.items.find((i) => i.id === id);
  const failureItems = ev.items.filter((i) => i.source === 'traceback' || i.source === 'race');
  // Ingest logs the failure's headline first; items about the blamed frame follow as their own links.
  add(failureItems[0], 'failure');
  for (const item of itemsAbout(ev, f.blamed)) add(item, item.source === 'git' ? 'history' : 'blamed');
  for (const id of f.citations) add(byId(id), 'support');
  for (const id of suspectReasonIds(ev, f.blamed)) add(byId(id), 'support');
  for (const item of ev.items) if (touches(item, f.other)) add(item, 'other');
  for (const id of f.otherCitations) add(byId(id), 'other');
  for (const item of ev.items)
    if (item.source === 'git' && item.location?.file === f.blamed.file) add(item, 'history');
  // Too little so far: the remaining items in the order ingest ranked them, as context.
  for (const item of ev.items) if (links.length < 2) add(item, 'context');
  // A lone panic log is one item; its stack is a second, separate fact read from the same lines.
  const only = links[0];
  if (links.length === 1 && only) links.push({ item: only.item, role: 'stack' });
  return links.slice(0, MAX_LINKS);
}

function claim(link: Link, f: Facts): string {
  const s = redacted(link.item.summary).trim();
  switch (link.role) {
    case 'failure':
      return `The ${link.item.source === 'race' ? 'race report' : 'failure'} itself: ${s}`;
    case 'blamed':
      return `Places the fault in ${fn(f.blamed)} at ${at(f.blamed)}: ${s}`;
    case 'support':
      return `Supports ${fn(f.blamed)} as the place to fix: ${s}`;
    case 'other':
      return f.other ? `The other side, ${fn(f.other)} at ${at(f.other)}: ${s}` : `The other side: ${s}`;
    case 'history':
      return `Recent history of ${f.blamed.file}: ${s}`;
    case 'context':
      return `Context for the failure: ${s}`;
    case 'stack':
      return f.caller
        ? `The same stack shows the path: ${fn(f.caller)} at ${at(f.caller)} called ${fn(f.blamed)}, which failed at ${at(f.blamed)}.`
        : `The same report puts the failing frame at ${fn(f.blamed)}, ${at(f.blamed)}, with no application caller above it.`;
  }
}

/** The chain; empty claims never occur because summaries are checked by the Evidence schema. */
export function evidenceChain(ev: Evidence, f: Facts): Array<{ evidenceId: string; claim: string }> {
  return pick(ev, f).map((l) => ({ evidenceId: l.item.id, claim: claim(l, f) || l.item.id }));
}
