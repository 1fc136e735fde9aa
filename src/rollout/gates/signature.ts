/**
 * The signature gate: the canary's output read with the same traceback parser ingest uses, and the
 * incident's failure signature looked for in it. Seen once is enough to roll back.
 */
import type { GateReading } from '../../core/model.js';
import { parseFailures } from '../../ingest/index.js';

export interface SignatureGateOptions {
  /** The incident's signature (`class:<16 hex>`). */
  signature: string;
  /** The canary's output so far. */
  output: () => Promise<string>;
  /** The service's module path, so its frames count as application frames (as at ingest). */
  modulePath?: string;
}

export class SignatureGate {
  constructor(private readonly options: SignatureGateOptions) {}

  async read(at: Date): Promise<GateReading> {
    const text = await this.options.output();
    const failures = parseFailures(text, {
      artifact: 'canary output',
      ...(this.options.modulePath ? { modulePath: this.options.modulePath } : {}),
    });
    const seen = failures.filter((f) => f.signature === this.options.signature).length;
    return {
      gate: 'signature',
      at: at.toISOString(),
      value: seen,
      threshold: 0,
      ok: seen === 0,
      query: `failures with signature ${this.options.signature} in the canary's output`,
    };
  }
}
