/** Dispatches a typed operation to its implementation. */
import type { GoRepo } from '../../lang/go/index.js';
import { replaceFunctionBody } from './body.js';
import { closeOnce, removeClose } from './channels.js';
import type { Applied } from './common.js';
import { boundGrowth, recoverAndLog } from './contain.js';
import { returnError } from './errors.js';
import { boundsCheck, checkedTypeAssertion, divisionGuard, nilGuard } from './guards.js';
import { callLockedVariant } from './locks.js';
import { addMutex } from './mutex.js';
import { initMapAtConstruction, initMapLazily } from './nil-map.js';
import { releaseOnAllPaths } from './release.js';
import type { Operation } from './schema.js';
import { skipIfNil } from './skip.js';
import { bufferChannel, selectOnDone } from './waits.js';

export type { Applied } from './common.js';
export { LAST_RESORT, Operation, type OperationKind } from './schema.js';

/** Checks the operation's precondition on the tree and returns its edits (MEDIC_ERR_PATCH_PRECONDITION otherwise). */
export async function applyOperation(repo: GoRepo, op: Operation): Promise<Applied> {
  switch (op.op) {
    case 'init-map-at-construction':
      return initMapAtConstruction(repo, op);
    case 'init-map-lazily':
      return initMapLazily(repo, op);
    case 'nil-guard':
      return nilGuard(repo, op);
    case 'bounds-check':
      return boundsCheck(repo, op);
    case 'division-guard':
      return divisionGuard(repo, op);
    case 'checked-type-assertion':
      return checkedTypeAssertion(repo, op);
    case 'close-once':
      return closeOnce(repo, op);
    case 'remove-close':
      return removeClose(repo, op);
    case 'select-on-done':
      return selectOnDone(repo, op);
    case 'buffer-channel':
      return bufferChannel(repo, op);
    case 'add-mutex':
      return addMutex(repo, op);
    case 'recover-and-log':
      return recoverAndLog(repo, op);
    case 'bound-growth':
      return boundGrowth(repo, op);
    case 'call-locked-variant':
      return callLockedVariant(repo, op);
    case 'release-on-all-paths':
      return releaseOnAllPaths(repo, op);
    case 'skip-if-nil':
      return skipIfNil(repo, op);
    case 'return-error':
      return returnError(repo, op);
    case 'replace-function-body':
      return replaceFunctionBody(repo, op);
  }
}
