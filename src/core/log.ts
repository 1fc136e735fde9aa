/** The process logger: pino, to stderr so that stdout stays for results (`--json`). */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = process.env.MEDIC_LOG_LEVEL ?? 'warn'): Logger {
  return pino({ level, base: { app: 'medic' } }, pino.destination(2));
}
