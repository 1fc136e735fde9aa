/**
 * Medic's typed errors. `MedicError` carries a registry code (error-codes.ts); one subclass per
 * stage narrows the codes it may carry; transport errors stand apart. Callers branch on
 * `code` (or `instanceof`), never on message text.
 */
import { type ErrorCode, type ErrorSpec, errorCodes } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

type CodesOf<P extends string> = Extract<ErrorCode, `MEDIC_ERR_${P}_${string}`>;

export interface MedicErrorOptions {
  cause?: unknown;
  /** Structured details for machines (zod issues, compiler output, the failing path). */
  details?: unknown;
}

export class MedicError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly retryable: boolean;
  readonly hint: string;
  readonly details: unknown;

  constructor(code: C, message: string, options: MedicErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec: ErrorSpec = errorCodes[code];
    this.name = new.target.name;
    this.code = code;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.hint = spec.hint;
    this.details = options.details;
  }

  /** `CODE: message — hint`, the form the CLI prints. */
  describe(): string {
    return `${this.code}: ${this.message}\n  ${this.hint}`;
  }

  toJSON(): { code: C; message: string; hint: string; retryable: boolean; details?: unknown } {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export class InputError extends MedicError<CodesOf<'INPUT'>> {}
export class ConfigError extends MedicError<CodesOf<'CONFIG'>> {}
export class IngestError extends MedicError<CodesOf<'INGEST'>> {}
export class DiagnoseError extends MedicError<CodesOf<'DIAGNOSE'>> {}
export class PatchError extends MedicError<CodesOf<'PATCH'>> {}
export class VerifyError extends MedicError<CodesOf<'VERIFY'>> {}
export class ProposeError extends MedicError<CodesOf<'PROPOSE'>> {}
export class RolloutError extends MedicError<CodesOf<'ROLLOUT'>> {}
export class ServiceError extends MedicError<CodesOf<'SERVICE'>> {}
/** Connection, timeout and abort failures talking to anything outside the process. */
export class TransportError extends MedicError<CodesOf<'TRANSPORT'>> {}

export function isMedicError(value: unknown): value is MedicError {
  return value instanceof MedicError;
}

/** Errors that say the input itself is wrong: the CLI exits 2 for these, workers do not retry them. */
export function isBadInput(error: unknown): boolean {
  return error instanceof InputError || error instanceof ConfigError || error instanceof IngestError;
}
