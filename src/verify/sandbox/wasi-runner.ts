/**
 * Runs one GOOS=wasip1 module under node:wasi, in its own process so the launcher can time it out.
 * argv: <module.wasm> <preopen-dir> <env-json> [program args...]. The module sees only the
 * preopened directory (mapped at its real path so Go's PWD and file names stay meaningful), has no
 * sockets (wasip1 offers none; Go's net package falls back to an in-process fake network), and its
 * exit status becomes this process's.
 */
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { z } from 'zod';

const Env = z.record(z.string(), z.string());

/** The WebAssembly global, typed for the two calls used here (the project's lib has no DOM types). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

async function main(): Promise<number> {
  const [modulePath, preopen, envJson, ...args] = process.argv.slice(2);
  if (modulePath === undefined || preopen === undefined || envJson === undefined) {
    process.stderr.write('wasi-runner: usage: <module.wasm> <preopen-dir> <env-json> [args...]\n');
    return 125;
  }
  const env = Env.parse(JSON.parse(envJson));
  const wasi = new WASI({
    version: 'preview1',
    args: [modulePath, ...args],
    // Go on wasip1 takes its working directory from PWD.
    env: { ...env, PWD: preopen },
    preopens: { [preopen]: preopen },
    returnOnExit: true,
  });
  const module = await wasm.compile(await readFile(modulePath));
  const instance = await wasm.instantiate(module, wasi.getImportObject());
  return wasi.start(instance);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`wasi-runner: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 125;
  },
);
