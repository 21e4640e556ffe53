import type { EpochRecord, RunConfig, RunRecord } from '../../src/experiment/record.js';

/** What a synthetic run needs; everything else gets a plain default. */
export interface FakeRun {
  activation: string;
  seed: number;
  /** Test misclassification rate in percent (of 10000 test images). */
  mr: number;
  /** Per-epoch test accuracy in [0, 1]; its length sets the number of epoch records. Default [0.9, 0.95]. */
  valAcc?: number[];
  /** Per-epoch dead fraction (same length as valAcc), or null for not measured. */
  dead?: Array<number | null>;
  samplesPerSecond?: number;
  diverged?: boolean;
  config?: Partial<RunConfig>;
  startedAt?: string;
  finishedAt?: string;
  backend?: string;
}

/** A RunRecord made by hand for the report tests. */
export function fakeRecord(run: FakeRun): RunRecord {
  const valAcc = run.valAcc ?? [0.9, 0.95];
  const epochs: EpochRecord[] = valAcc.map((acc, i) => ({
    epoch: i + 1,
    loss: 0.5 / (i + 1),
    acc: acc - 0.01,
    valLoss: 0.4 / (i + 1),
    valAcc: acc,
    slope: run.activation === 'arelu' ? (i === 0 ? 0.1 : 0.5 / i) : null,
    deadFraction: run.dead?.[i] ?? null,
    seconds: 10,
  }));
  const errors = Math.round(run.mr * 100);
  const config: RunConfig = {
    activation: run.activation,
    seed: run.seed,
    epochs: valAcc.length,
    batchSize: 128,
    lr: 0.001,
    initialSlope: 0.1,
    trainSize: 60000,
    testSize: 10000,
    hiddenBias: 0,
    stress: false,
    probeSize: run.dead ? 1000 : 0,
    ...run.config,
  };
  return {
    format: 1,
    activation: run.activation,
    seed: run.seed,
    backend: run.backend ?? 'wasm',
    kernels: (run.backend ?? 'wasm') === 'wasm' ? 'optimized' : null,
    config,
    epochs,
    test: { loss: 0.07, accuracy: 1 - errors / 10000, misclassificationRate: run.mr, errors, total: 10000 },
    samplesPerSecond: run.samplesPerSecond ?? 1000,
    diverged: run.diverged ?? false,
    wallSeconds: 30,
    startedAt: run.startedAt ?? '2025-02-01T10:00:00.000Z',
    finishedAt: run.finishedAt ?? '2025-02-01T10:05:00.000Z',
    machine: { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux-x64' },
    versions: { tfjs: '4.22.0', tfjsActivations: '0.1.0' },
  };
}

/**
 * The records the summary and table tests share:
 * - reference protocol (2 epochs): relu seeds 1, 2, 3 with MR 2.0, 2.2, 2.6 (seed 2 recorded twice,
 *   first with MR 9.9, which the later record replaces); seed 3 diverged; final dead fractions 0.1,
 *   0.3, not measured; 1000, 2000, 3000 samples/s. arelu seed 1 with MR 1.5.
 * - the same with 3 epochs: relu seed 1, MR 1.9 (another protocol: not averaged with the above).
 * - stress: relu seed 1, MR 4.0, dead 0.6 at the end.
 */
export function summaryFixture(): RunRecord[] {
  return [
    fakeRecord({ activation: 'relu', seed: 1, mr: 2.0, dead: [0.05, 0.1], samplesPerSecond: 1000, startedAt: '2025-02-01T09:00:00.000Z' }),
    fakeRecord({ activation: 'relu', seed: 2, mr: 9.9, dead: [0.5, 0.5], samplesPerSecond: 9999 }),
    fakeRecord({ activation: 'arelu', seed: 1, mr: 1.5, dead: [0, 0], samplesPerSecond: 1500 }),
    fakeRecord({ activation: 'relu', seed: 2, mr: 2.2, dead: [0.2, 0.3], samplesPerSecond: 2000 }),
    fakeRecord({ activation: 'relu', seed: 3, mr: 2.6, dead: [null, null], samplesPerSecond: 3000, diverged: true, config: { probeSize: 1000 } }),
    fakeRecord({ activation: 'relu', seed: 1, mr: 1.9, valAcc: [0.9, 0.95, 0.97], dead: [0.1, 0.1, 0.1] }),
    fakeRecord({
      activation: 'relu',
      seed: 1,
      mr: 4.0,
      dead: [0.4, 0.6],
      config: { stress: true, hiddenBias: -1 },
      finishedAt: '2025-02-02T12:30:00.000Z',
    }),
  ];
}
