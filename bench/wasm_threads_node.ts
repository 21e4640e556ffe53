/**
 * An experiment, not part of the library: makes tfjs-backend-wasm's multi-threaded binary start
 * in Node, to measure whether threads speed up training here (bench/perf.ts, section settings).
 *
 * Two things stop it in Node 20 with tfjs-backend-wasm 4.22:
 * 1. tfjs starts the Emscripten pthread workers from a `blob:` URL of the worker script, which
 *    Node's worker_threads rejects (ERR_WORKER_PATH). Patched here: a Worker created from a
 *    `blob:` URL runs the same worker script with `eval: true`, and the worker's
 *    `importScripts` of the main script's blob evaluates the factory source tfjs put in it.
 * 2. The backend caps XNNPACK's thread pool at (logical cores) / 2, i.e. 1 thread on a 2-core
 *    machine, whatever setThreadsCount asks. `fakeCores` makes os.cpus() report more cores while
 *    the module starts, to get 2 threads on 2 cores.
 *
 * Call before the wasm backend is initialised, with
 * `tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true)` and `setThreadsCount(n)`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function patchWasmThreadsForNode(options: { fakeCores?: number } = {}): void {
  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
  const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const { wasmWorkerContents } = require(join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const factory = require(join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js')) as { default?: unknown };
  // What tfjs puts in the main-script blob (backend_wasm.ts).
  const mainSource = `var WasmBackendModuleThreadedSimd = ${String(factory.default ?? factory)}`;
  // tfjs escapes newlines the same way before it makes the worker blob.
  const code =
    `${wasmWorkerContents.replace(/\n/g, '\\n')}\n;(() => {` +
    `const original = global.importScripts; const main = require('node:worker_threads').workerData.mainSource;` +
    `global.importScripts = (f) => (String(f).startsWith('blob:') ? (0, eval)(main) : original(f)); })();`;
  const Original = workerThreads.Worker;
  class BlobWorker extends Original {
    constructor(file: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      if (typeof file === 'string' && file.startsWith('blob:')) super(code, { ...options, eval: true, workerData: { mainSource } });
      else super(file, options);
    }
  }
  (workerThreads as { Worker: unknown }).Worker = BlobWorker;
  if (options.fakeCores !== undefined) {
    const os = require('node:os') as typeof import('node:os');
    const cpus = os.cpus;
    const n = options.fakeCores;
    (os as { cpus: unknown }).cpus = () => {
      const real = cpus();
      return Array.from({ length: n }, (_, i) => real[i % real.length]);
    };
  }
}
