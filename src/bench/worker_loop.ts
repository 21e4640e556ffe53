import * as tf from '@tensorflow/tfjs';
import { deadUnitMonitor } from '../callbacks/dead_unit_monitor.js';
import { runExperiment } from '../experiment/run.js';
import { selectBackend } from '../node/backend.js';
import { machineInfo, versionInfo } from '../node/environment.js';
import { loadMnist } from '../node/mnist.js';
import type { RunRequest, SetupRequest, WorkerMessage } from './worker.js';

/**
 * The body of a benchmark worker process: set up the backend and load MNIST once, then run each
 * configuration the parent sends, reporting epochs and the finished record over IPC.
 * Runs are strictly sequential within a worker; parallelism comes from several workers.
 */
export function workerLoop(): void {
  // After the parent is gone (killed, Ctrl-C) a send fails with EPIPE: the 'disconnect' handler
  // below ends the process, and a send that fails before it fires ends it quietly too (without
  // the callback, the failure would be an uncaught 'error' event with a stack trace). The parent
  // records a run only when its 'done' message arrives, so nothing finished is lost.
  const send = (m: WorkerMessage) => {
    if (!process.connected) return;
    process.send?.(m, undefined, {}, (error: Error | null) => {
      if (error) process.exit(0);
    });
  };
  let ready: Promise<{ data: ReturnType<typeof loadMnist>; probe: tf.Tensor2D; env: Parameters<typeof runExperiment>[2] }> | null = null;
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (msg: SetupRequest | RunRequest) => {
    if (msg.type === 'setup') {
      ready = (async () => {
        const backend = await selectBackend(msg.backend, { stockKernels: msg.stockKernels });
        const data = loadMnist({ dir: msg.dataDir, trainSize: msg.trainSize, testSize: msg.testSize });
        const probe = data.train.images.slice([0, 0], [Math.min(msg.probeSize, msg.trainSize), -1]);
        send({ type: 'ready', backend });
        return {
          data,
          probe,
          env: { backend: backend.name, kernels: backend.kernels, machine: machineInfo(), versions: versionInfo() },
        };
      })();
      ready.catch((e: unknown) => {
        send({ type: 'failed', config: null, message: String((e as Error)?.message ?? e) });
        process.exit(1);
      });
      return;
    }
    if (msg.type === 'run') {
      const config = msg.config;
      queue = queue.then(async () => {
        try {
          if (ready === null) throw new Error('worker received a run before its setup');
          const { data, probe, env } = await ready;
          const record = await runExperiment(config, data, env, {
            hooks: { onEpochEnd: (epoch) => send({ type: 'epoch', config, epoch }) },
            callbacks: () => (config.probeSize > 0 ? [deadUnitMonitor({ inputs: probe })] : []),
          });
          send({ type: 'done', record });
        } catch (e) {
          send({ type: 'failed', config, message: String((e as Error)?.stack ?? e) });
        }
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal signals the whole process group. The parent handles it (it stops the
  // workers and says how to resume); a worker dying of the same SIGINT first would race with
  // that and be reported as a failed run.
  process.on('SIGINT', () => {});
}
