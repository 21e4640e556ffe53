/**
 * Writes a benchmark report from synthetic records, to look at the tables and plots without
 * training anything:
 *
 *     npx tsx bench/report_demo.ts [DIR]      (default DIR: /tmp/tfjs-activations-report-demo)
 *
 * The numbers are made up (smooth curves plus seeded noise); only their shape is realistic.
 */
import * as tf from '@tensorflow/tfjs';
import { writeReport } from '../src/bench/report.js';
import { TABLE1 } from '../src/bench/table1.js';
import type { EpochRecord, RunRecord } from '../src/experiment/record.js';
import { mulberry32 } from '../src/experiment/shuffle.js';

function fakeRun(activation: string, seed: number, finalMR: number, stress: boolean, start: Date, n = 20, divergeAt = 0): RunRecord {
  const r = mulberry32(seed * 7919 + activation.length * 104729 + (stress ? 1 : 0));
  const noise = () => (r() - 0.5) * 2;
  const epochs: EpochRecord[] = [];
  let slope = 0.1;
  const dying = activation === 'relu' || activation === 'arelu' || activation === 'leaky-relu';
  for (let e = 1; e <= n; e++) {
    const mr = finalMR * (1 + 3 * Math.exp(-e / 3)) + 0.08 * noise();
    const loss = divergeAt > 0 && e >= divergeAt ? Number.NaN : 0.25 * Math.exp(-e / 4) + 0.01 + 0.004 * noise();
    const deadBase = stress ? (dying ? (activation === 'relu' ? 0.45 : 0.08) : 0.01) : activation === 'relu' ? 0.05 : 0.01;
    epochs.push({
      epoch: e,
      loss,
      acc: 1 - loss / 3,
      valLoss: 0.06 + 0.2 * Math.exp(-e / 2.5) + 0.002 * e + 0.005 * noise(),
      valAcc: Number.isNaN(loss) ? 0.098 : 1 - mr / 100,
      slope: activation === 'arelu' ? slope : null,
      deadFraction: Math.max(0, deadBase * (1 + e / 20) + 0.01 * noise()),
      deadFractions: { [`${activation}_1`]: deadBase, [`${activation}_2`]: deadBase * 1.5 },
      seconds: 20 + noise(),
    });
    slope = loss;
    if (Number.isNaN(loss)) break;
  }
  const mr = divergeAt > 0 ? 90.2 : finalMR + 0.1 * noise();
  const errors = Math.round(mr * 100);
  const finished = new Date(start.getTime() + 400_000);
  return {
    format: 1,
    activation,
    seed,
    backend: 'wasm',
    kernels: 'optimized',
    config: {
      activation,
      seed,
      epochs: n,
      batchSize: 128,
      lr: 0.001,
      initialSlope: 0.1,
      trainSize: 60000,
      testSize: 10000,
      hiddenBias: stress ? -1 : 0,
      stress,
      probeSize: 1000,
    },
    epochs,
    test: { loss: epochs.at(-1)?.valLoss ?? 0, accuracy: 1 - errors / 10000, misclassificationRate: errors / 100, errors, total: 10000 },
    samplesPerSecond: 3000 + 500 * noise(),
    diverged: divergeAt > 0,
    wallSeconds: 400,
    startedAt: start.toISOString(),
    finishedAt: finished.toISOString(),
    machine: { cpu: 'Demo CPU @ 2.0GHz', cores: 2, node: process.version, platform: 'linux-x64' },
    versions: { tfjs: tf.version.tfjs, tfjsActivations: '0.1.0' },
  };
}

const dir = process.argv[2] ?? '/tmp/tfjs-activations-report-demo';
await tf.setBackend('cpu');
const records: RunRecord[] = [];
let t = Date.parse('2025-01-10T08:00:00Z');
const finalMR: Record<string, number> = {
  arelu: 1.75, sigmoid: 2.3, tanh: 2.0, msaf: 2.2, 'msaf-symmetric': 2.1, relu: 1.7, 'leaky-relu': 1.72, prelu: 1.8, elu: 1.85, 'adaptive-tanh': 2.05,
  selu: 1.95, swish: 1.78, mish: 1.76, gelu: 1.74,
};
for (const stress of [false, true]) {
  for (const name of [...TABLE1.map((e) => e.name), 'selu', 'swish', 'mish', 'gelu']) {
    for (let seed = 1; seed <= (stress ? 2 : 5); seed++) {
      const mr = finalMR[name] * (stress && name === 'relu' ? 1.6 : 1);
      records.push(fakeRun(name, seed, mr, stress, new Date(t)));
      t += 410_000;
    }
  }
}
// A second, shorter reference protocol (its own table and plots): one seed of relu (no band), and an
// AReLU run that diverges at epoch 3.
records.push(fakeRun('relu', 1, 2.5, false, new Date(t), 5));
records.push(fakeRun('arelu', 1, 2.4, false, new Date(t), 5));
records.push(fakeRun('arelu', 2, 2.4, false, new Date(t), 5, 3));
const files = await writeReport(dir, records);
console.log(`wrote ${files.table}, ${files.summary} and ${files.plots.length} plot files under ${dir}/plots`);
if (files.sheetSkipped.length > 0) console.log('not on the activation sheet:', files.sheetSkipped);
