import type { RunConfig, RunRecord, EpochRecord } from '../experiment/record.js';
import type { BackendChoice, BackendInfo } from '../node/backend.js';

/** Parent -> worker: run one configuration. */
export interface RunRequest {
  type: 'run';
  config: RunConfig;
}

/** Parent -> worker, first message: how to set the worker up. */
export interface SetupRequest {
  type: 'setup';
  backend: BackendChoice;
  stockKernels: boolean;
  dataDir?: string;
  trainSize: number;
  testSize: number;
  probeSize: number;
}

/** Worker -> parent messages. */
export type WorkerMessage =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'epoch'; config: RunConfig; epoch: EpochRecord }
  | { type: 'done'; record: RunRecord }
  | { type: 'failed'; config: RunConfig | null; message: string };
