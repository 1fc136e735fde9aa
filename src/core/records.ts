/** Reading and writing records as JSON files, validated against their schemas at the edge. */
import { open, readFile, rename } from 'node:fs/promises';
import type { z } from 'zod';
import { InputError } from './errors.js';

/** Reads `path` and validates it with `schema`; names the file and the bad fields on failure. */
export async function readRecord<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `cannot read ${path}`, { cause: error });
  }
  return parseRecord(text, path, schema);
}

export function parseRecord<S extends z.ZodType>(text: string, name: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      'MEDIC_ERR_INPUT_INVALID_JSON',
      `${name} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError(
      'MEDIC_ERR_INPUT_INVALID_RECORD',
      `${name} is not a valid record:\n    ${fields.join('\n    ')}`,
      {
        details: parsed.error.issues,
      },
    );
  }
  return parsed.data;
}

/**
 * Writes a record atomically (temp file, fsync, rename): a process killed mid-write leaves the
 * previous record whole, which is what resuming from the last stored record relies on.
 */
export async function writeRecord(path: string, record: unknown): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
