/** Formats Go source with the toolchain's gofmt (stdin to stdout, never a shell), keeping untouched lines as they were. */
import { PatchError } from '../../core/errors.js';
import { run } from '../../core/exec.js';

/** The gofmt binary: `MEDIC_GOFMT`, else `gofmt` on PATH. */
function gofmtBinary(): string {
  return process.env.MEDIC_GOFMT ?? 'gofmt';
}

/** gofmt's output for `source`; MEDIC_ERR_PATCH_GOFMT with gofmt's message when it rejects the text. */
export async function gofmt(source: string, path: string): Promise<string> {
  const result = await run([gofmtBinary()], { input: source, timeoutMs: 60_000 });
  if (result.exitCode !== 0) {
    throw new PatchError(
      'MEDIC_ERR_PATCH_GOFMT',
      `gofmt rejected the edited ${path}: ${result.stderr.trim().replaceAll('<standard input>', path)}`,
      {
        details: { stderr: result.stderr },
      },
    );
  }
  return result.stdout;
}

/**
 * Formats an edited file. When the original was already gofmt-clean the whole result is gofmt'ed
 * (gofmt may realign lines next to an edit, as any Go author's editor would). When it was not,
 * formatting the whole file would rewrite lines the patch never touched, so only a syntax check
 * is made and the generated lines (already written in gofmt style) stay as they are.
 */
export async function formatEdited(original: string, edited: string, path: string): Promise<string> {
  const originalClean = (await gofmt(original, path).catch(() => undefined)) === original;
  const formatted = await gofmt(edited, path);
  return originalClean ? formatted : edited;
}
