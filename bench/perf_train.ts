/**
 * Training-level sections of bench/perf.ts: end-to-end throughput of the reference MLP with AReLU
 * and its slope callback against the same model with tfjs' LeakyReLU, the examples' training
 * pipeline against a bare model.fit, tensor memory over epochs, and a kernel profile of a step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import { lossAdaptiveSlope } from '../src/callbacks/loss_adaptive_slope.js';
import { buildReferenceMLP } from '../src/experiment/reference_mlp.js';
import { trainClassifier, type LabelledImages } from '../src/experiment/train.js';
import { writeJsonAtomic } from '../src/node/files.js';
import { consoleProgress } from '../src/node/progress.js';
import { median } from './stats.js';

/** Random MNIST-shaped data: pixels in [0, 1), one-hot labels of 10 classes; seeded. */
export function randomImages(samples: number, seed: number): LabelledImages {
  return tf.tidy(() => ({
    images: tf.randomUniform([samples, 784], 0, 1, 'float32', seed) as tf.Tensor2D,
    labels: tf.oneHot(tf.randomUniform([samples], 0, 10, 'int32', seed + 1) as tf.Tensor1D, 10).toFloat() as tf.Tensor2D,
  }));
}

/** The reference MLP (Dense 784-512-512-10) with `activation`, compiled as the examples compile it. */
export function compiledMlp(activation: string): tf.LayersModel {
  const model = buildReferenceMLP({ activation, seed: 1 });
  model.compile({ optimizer: tf.train.adamax(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** `model.fit` on the first `n` samples of `data`, batch 128, unshuffled; the slices are disposed after. */
export async function fitSlice(model: tf.LayersModel, data: LabelledImages, n: number, args: tf.ModelFitArgs = {}): Promise<tf.History> {
  const [xs, ys] = [data.images.slice(0, n), data.labels.slice(0, n)];
  try {
    return await model.fit(xs, ys, { batchSize: 128, shuffle: false, verbose: 0, ...args });
  } finally {
    tf.dispose([xs, ys]);
  }
}

/** Disposes a model from {@link compiledMlp} and its optimizer (tfjs' dispose leaves an optimizer instance alone). */
export function disposeMlp(model: tf.LayersModel): void {
  const optimizer = model.optimizer;
  model.dispose();
  optimizer.dispose();
}

/** Wall and CPU seconds of `f` (CPU: this process, user + system). */
export async function timed<T>(f: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await f();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Samples per second for each of several configurations, timed in alternating rounds. */
export interface Throughput {
  name: string;
  samplesPerSecond: number[];
  samplesPerCpuSecond: number[];
}

/**
 * End to end: `model.fit` of the reference MLP with AReLU + lossAdaptiveSlope and with tfjs'
 * LeakyReLU (alpha 0.01), `rounds` rounds alternating which goes first, after one warm-up fit each.
 * Returns both throughputs and the per-round ratio AReLU / LeakyReLU.
 */
export async function benchEndToEnd(
  samples: number,
  epochs: number,
  rounds: number,
): Promise<{ configs: Throughput[]; ratios: number[]; cpuRatios: number[] }> {
  const data = randomImages(samples, 31);
  const configs: Array<{ name: string; activation: string; callbacks: () => tf.Callback[] }> = [
    { name: 'AReLU + lossAdaptiveSlope', activation: 'arelu', callbacks: () => [lossAdaptiveSlope()] },
    { name: 'tfjs LeakyReLU (alpha 0.01)', activation: 'leaky-relu', callbacks: () => [] },
  ];
  const models = configs.map((c) => compiledMlp(c.activation));
  const out: Throughput[] = configs.map((c) => ({ name: c.name, samplesPerSecond: [], samplesPerCpuSecond: [] }));
  const fit = (k: number, n: number, e: number) => fitSlice(models[k], data, n, { epochs: e, callbacks: configs[k].callbacks() });
  for (let k = 0; k < models.length; k++) await fit(k, Math.min(256, samples), 1);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const t = await timed(() => fit(k, samples, epochs));
      out[k].samplesPerSecond.push((samples * epochs) / t.seconds);
      out[k].samplesPerCpuSecond.push((samples * epochs) / t.cpuSeconds);
    }
  }
  models.forEach(disposeMlp);
  tf.dispose([data.images, data.labels]);
  const ratios = out[0].samplesPerSecond.map((v, i) => v / out[1].samplesPerSecond[i]);
  const cpuRatios = out[0].samplesPerCpuSecond.map((v, i) => v / out[1].samplesPerCpuSecond[i]);
  return { configs: out, ratios, cpuRatios };
}

/** A stream that discards what it is given but says it is a terminal, so that progress bars draw. */
export function terminalSink(): NodeJS.WriteStream {
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number; rows: number };
  sink.isTTY = true;
  sink.columns = 120;
  sink.rows = 40;
  for (const m of ['cursorTo', 'moveCursor', 'clearLine', 'clearScreenDown']) {
    (sink as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
      const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
  }
  return sink;
}

/**
 * The examples' pipeline against a bare fit, AReLU model, same epochs, batch 128 and validation
 * data: (a) `model.fit(xs, ys)` with tfjs' own shuffling and lossAdaptiveSlope; (b) the library's
 * `trainClassifier` (fitDataset over a generator that gathers each seeded-shuffled batch, the
 * epoch recorder); (c) (b) plus the console progress bar (drawn into a terminal-like sink) and the
 * JSON record written to a temporary folder.
 */
export async function benchPipeline(samples: number, epochs: number, rounds: number): Promise<Throughput[]> {
  const train = randomImages(samples, 41);
  const validation = randomImages(Math.max(128, samples >> 2), 51);
  const dir = mkdtempSync(join(tmpdir(), 'perf-pipeline-'));
  const variants: Array<{ name: string; run: (model: tf.LayersModel) => Promise<unknown> }> = [
    {
      name: 'bare model.fit (tensors, shuffle: true, slope callback)',
      run: (model) =>
        model.fit(train.images, train.labels, {
          batchSize: 128,
          epochs,
          shuffle: true,
          verbose: 0,
          validationData: [validation.images, validation.labels],
          validationBatchSize: 1000,
          callbacks: [lossAdaptiveSlope()],
        } as tf.ModelFitArgs),
    },
    {
      name: 'trainClassifier (fitDataset + batch gather + recorder)',
      run: (model) => trainClassifier(model, train, { epochs, batchSize: 128, seed: 1, validation }),
    },
    {
      name: 'trainClassifier + progress bar + JSON record',
      run: async (model) => {
        const result = await trainClassifier(model, train, {
          epochs,
          batchSize: 128,
          seed: 1,
          validation,
          hooks: consoleProgress({ stream: terminalSink(), bar: true }),
        });
        writeJsonAtomic(join(dir, 'record.json'), result);
      },
    },
  ];
  const models = variants.map(() => compiledMlp('arelu'));
  const out: Throughput[] = variants.map((v) => ({ name: v.name, samplesPerSecond: [], samplesPerCpuSecond: [] }));
  try {
    for (let k = 0; k < variants.length; k++) {
      // Warm-up on a slice.
      const small = { images: train.images.slice(0, 256), labels: train.labels.slice(0, 256) };
      await trainClassifier(models[k], small, { epochs: 1, batchSize: 128, seed: 1 });
      tf.dispose([small.images, small.labels]);
    }
    for (let round = 0; round < rounds; round++) {
      const order = variants.map((_, k) => (k + round) % variants.length);
      for (const k of order) {
        const t = await timed(() => variants[k].run(models[k]));
        out[k].samplesPerSecond.push((samples * epochs) / t.seconds);
        out[k].samplesPerCpuSecond.push((samples * epochs) / t.cpuSeconds);
      }
    }
  } finally {
    models.forEach(disposeMlp);
    tf.dispose([train.images, train.labels, validation.images, validation.labels]);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** tf.memory() after given epochs of a trainClassifier run of the AReLU model. */
export interface MemoryPoint {
  epoch: number;
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
}

export async function benchMemory(
  samples: number,
  epochs: number[],
): Promise<{ before: MemoryPoint; points: MemoryPoint[]; afterFit: MemoryPoint; after: MemoryPoint }> {
  const snap = (epoch: number): MemoryPoint => {
    const m = tf.memory();
    return { epoch, numTensors: m.numTensors, numBytes: m.numBytes, numDataBuffers: m.numDataBuffers };
  };
  const before = snap(0);
  const train = randomImages(samples, 61);
  const validation = randomImages(Math.max(64, samples >> 2), 71);
  const model = compiledMlp('arelu');
  const wanted = new Set(epochs);
  const points: MemoryPoint[] = [];
  await trainClassifier(model, train, {
    epochs: Math.max(...epochs),
    batchSize: 128,
    seed: 1,
    validation,
    hooks: {
      onEpochEnd: (record) => {
        if (wanted.has(record.epoch)) points.push(snap(record.epoch));
      },
    },
  });
  const afterFit = snap(-1);
  disposeMlp(model);
  tf.dispose([train.images, train.labels, validation.images, validation.labels]);
  return { before, points, afterFit, after: snap(-1) };
}

/** Kernel time per training step (tf.profile of model.fit over `steps` batches), AReLU model. */
export async function profileStep(steps: number): Promise<{ kernels: Array<{ name: string; calls: number; ms: number }>; kernelMs: number; wallMs: number }> {
  const data = randomImages(128 * steps, 81);
  const model = compiledMlp('arelu');
  const fit = () =>
    model.fit(data.images, data.labels, { batchSize: 128, epochs: 1, shuffle: false, verbose: 0, callbacks: [lossAdaptiveSlope()] });
  await fit();
  let wallMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await fit();
    wallMs = Math.min(wallMs, (performance.now() - t0) / steps);
  }
  // Three profiled fits; the one with the least kernel time is the least disturbed by other processes.
  let perKernel = new Map<string, { ms: number; calls: number }>();
  let best = Number.POSITIVE_INFINITY;
  const backend = tf.getBackend();
  for (let run = 0; run < 3; run++) {
    const info = await tf.profile(async () => {
      await fit();
    });
    const current = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      // Skip op-level scopes (tf.fused.matMul's customGrad 'fusedMatMul__op'): their time is that
      // of the kernels they run, which are listed themselves.
      if (tf.getKernel(k.name, backend) == null) continue;
      const e = current.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls += 1;
      current.set(k.name, e);
    }
    const total = [...current.values()].reduce((s, e) => s + e.ms, 0);
    if (total < best) {
      best = total;
      perKernel = current;
    }
  }
  disposeMlp(model);
  tf.dispose([data.images, data.labels]);
  const kernels = [...perKernel]
    .map(([name, e]) => ({ name, calls: e.calls / steps, ms: e.ms / steps }))
    .sort((a, b) => b.ms - a.ms);
  return { kernels, kernelMs: kernels.reduce((s, k) => s + k.ms, 0), wallMs };
}

export { median };
