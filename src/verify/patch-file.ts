/** A Patch record for a unified diff from a file (`medic verify --patch FILE`): a human's or a tool's fix. */
import { VerifyError } from '../core/errors.js';
import { type Patch, SCHEMA_VERSION } from '../core/model.js';

/** Repository-relative files a unified diff changes (from `+++ b/...`, or `--- a/...` for deletions). */
export function diffFiles(diff: string): string[] {
  const files = new Set<string>();
  let minus: string | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('--- ')) minus = stripPrefix(line.slice(4));
    else if (line.startsWith('+++ ')) {
      const plus = stripPrefix(line.slice(4));
      const file = plus === '/dev/null' ? minus : plus;
      if (file !== undefined && file !== '/dev/null') files.add(file);
    }
  }
  return [...files];
}

function stripPrefix(path: string): string {
  const clean = path.split('\t')[0]?.trim() ?? '';
  return clean === '/dev/null' ? clean : clean.replace(/^[ab]\//, '');
}

/**
 * Wraps a unified diff as the rank-1 Patch of `incidentId`. Throws VerifyError
 * MEDIC_ERR_VERIFY_BAD_PATCH when the text holds no file header and hunk.
 */
export function patchFromDiff(diff: string, incidentId: string, source: string): Patch {
  const files = diffFiles(diff);
  if (files.length === 0 || !/^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/m.test(diff)) {
    throw new VerifyError(
      'MEDIC_ERR_VERIFY_BAD_PATCH',
      `${source} is not a unified diff (no "+++" file header and "@@" hunk)`,
    );
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    incidentId,
    rank: 1,
    strategy: 'other',
    origin: 'file',
    operations: [],
    diff,
    files,
    explanation: `the change in ${source}`,
  };
}
