/** Evidence items and suspects from parsed failures: the crashing frame, its callers, race pairs, blocked goroutines. */
import type { Failure } from '../core/model.js';
import {
  appLocations,
  crashedGoroutine,
  createdByLocation,
  type EvidenceContext,
} from './evidence-context.js';
import { at, clip } from './format.js';
import { WEIGHT } from './suspects.js';
import { blameFrames } from './traceback/index.js';
import { bucketEvidence } from './wait-evidence.js';

function lines(f: Failure): string {
  return `${f.source.artifact}:${f.source.startLine}-${f.source.endLine}`;
}

/** Items and suspects for the primary failure; the others get one summary item. */
export function failureEvidence(ctx: EvidenceContext, failure: Failure, others: readonly Failure[]): void {
  const { log, board, repo } = ctx;
  // A deadlock has no crashing goroutine (the runtime prints goroutine 1 first, a waiter like the
  // rest), and a race report's goroutines are its two accesses, handled as a pair below.
  const crashed =
    failure.class === 'deadlock' || failure.kind === 'race' ? undefined : crashedGoroutine(failure);
  // Past a recovered-and-repanicked chain, the root panic site is below the deferred handler's frames.
  const stack = crashed ? appLocations(blameFrames(failure), repo) : [];
  const [crash, ...callers] = stack;
  const message = failure.message.trim() === '' ? '' : ` "${clip(failure.message)}"`;
  const what = `${failure.kind === 'race' ? 'data race report' : failure.kind}${message} (${failure.class})`;
  const where = crashed
    ? ` in goroutine ${crashed.id}${crash ? `, innermost application frame ${at(crash)}` : ', no application frame on its stack'}`
    : '';
  const head = log.add(
    failure.kind === 'race' ? 'race' : 'traceback',
    `${lines(failure)}: ${what}${where}`,
    failure.source.artifact,
    crash,
  );
  if (crash) {
    board.add(crash, WEIGHT.crashFrame, {
      source: 'traceback',
      detail: `innermost application frame of crashing goroutine ${crashed?.id}`,
      evidenceId: head,
    });
  }
  callers.slice(0, 2).forEach((loc, i) => {
    board.add(loc, WEIGHT.crashCaller / (i + 1), {
      source: 'traceback',
      detail: `caller on goroutine ${crashed?.id}'s stack (application frame ${i + 2})`,
      evidenceId: head,
    });
  });
  const creator = crashed ? createdByLocation(crashed, repo) : undefined;
  if (crashed && creator) {
    const id = log.add(
      'traceback',
      `goroutine ${crashed.id} was created by ${at(creator)}`,
      failure.source.artifact,
      creator,
    );
    board.add(creator, WEIGHT.createdBy, {
      source: 'traceback',
      detail: 'created the crashing goroutine',
      evidenceId: id,
    });
  }
  raceEvidence(ctx, failure);
  // Without one crash site (deadlocks, fatal errors in the runtime), where goroutines wait is the evidence.
  if (
    failure.class === 'deadlock' ||
    failure.class === 'goroutine-leak' ||
    (!crash && failure.kind !== 'race')
  ) {
    bucketEvidence(ctx, failure);
  }
  if (others.length > 0) {
    const kinds = [...new Set(others.map((o) => o.class))].join(', ');
    log.add(
      'traceback',
      `${others.length} more failure${others.length === 1 ? '' : 's'} in the same artifacts (${kinds}), first at ${lines(others[0]!)}`,
      others[0]!.source.artifact,
    );
  }
}

/** Each racing access (at most three reports) is an item and a suspect of its own. */
function raceEvidence(ctx: EvidenceContext, failure: Failure): void {
  for (const race of failure.races.slice(0, 3)) {
    for (const access of race.accesses.slice(0, 2)) {
      const [loc, ...callers] = appLocations(access.frames, ctx.repo);
      const role = access.previous ? 'previous' : 'current';
      const id = ctx.log.add(
        'race',
        `${lines(failure)}: data race, ${role} ${access.kind} by goroutine ${access.goroutineId}${loc ? ` at ${at(loc)}` : ''}`,
        failure.source.artifact,
        loc,
      );
      if (loc) {
        ctx.board.add(loc, WEIGHT.raceAccess, {
          source: 'race',
          detail: `${role} ${access.kind} of the racing pair`,
          evidenceId: id,
        });
      }
      callers.slice(0, 2).forEach((caller, i) => {
        ctx.board.add(caller, WEIGHT.crashCaller / (2 * (i + 1)), {
          source: 'race',
          detail: `caller on the stack of the ${role} ${access.kind}`,
          evidenceId: id,
        });
      });
    }
  }
}
