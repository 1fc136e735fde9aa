/** Maps GitHub REST failures (Octokit's RequestError, network errors) onto Medic's propose error codes. */
import { ProposeError, TransportError } from '../core/errors.js';

interface HttpFailure {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function isHttpFailure(error: unknown): error is HttpFailure {
  return (
    typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
  );
}

/** What a failed GitHub call means for the job: bad credentials, a rejected request, or try again later. */
export function forgeError(what: string, error: unknown): Error {
  if (!isHttpFailure(error)) {
    return new TransportError('MEDIC_ERR_TRANSPORT_CONNECTION', `${what}: ${String(error)}`, {
      cause: error,
    });
  }
  const remaining = error.response?.headers?.['x-ratelimit-remaining'];
  const limited = error.status === 429 || (error.status === 403 && String(remaining) === '0');
  const message = `${what}: GitHub answered ${error.status}: ${error.message}`;
  if (limited || error.status >= 500)
    return new ProposeError('MEDIC_ERR_PROPOSE_FORGE_UNAVAILABLE', message, { cause: error });
  if (error.status === 401 || error.status === 403)
    return new ProposeError('MEDIC_ERR_PROPOSE_FORGE_AUTH', message, { cause: error });
  return new ProposeError('MEDIC_ERR_PROPOSE_FORGE_REJECTED', message, { cause: error });
}

/** GitHub's 422 when a pull request for the head branch exists already (a lost race with ourselves). */
export function isDuplicatePull(error: unknown): boolean {
  return isHttpFailure(error) && error.status === 422 && /already exists/i.test(error.message);
}
