/**
 * Benchmark of optimizeWasmMatMul: per-op times on tfjs' wasm backend with
 * the stock and the replacement kernels (alternating, median of repetitions
 * after warm-up), the kernels a training step spends its time in, then the
 * reference MLP's training throughput on wasm stock, wasm optimized and cpu,
 * all in one process.
 *
 *   npx tsx bench/wasm_matmul.ts [--reps N] [--samples N] [--epochs N]
 *                                [--rounds N] [--cpu-samples N] [--skip-cpu]
 *
 * Defaults take one to two minutes on one core. Figures are printed, not
 * asserted; docs/performance.md records them.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { isWasmMatMulOptimized, optimizeWasmMatMul } from '../src/index.js';
import { median } from './stats.js';

interface Options {
  reps: number;
  samples: number;
  epochs: number;
  rounds: number;
  cpuSamples: number;
  skipCpu: boolean;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { reps: 15, samples: 2560, epochs: 2, rounds: 3, cpuSamples: 1280, skipCpu: false };
  const ints: Record<string, keyof Options> = {
    '--reps': 'reps',
    '--samples': 'samples',
    '--epochs': 'epochs',
    '--rounds': 'rounds',
    '--cpu-samples': 'cpuSamples',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--skip-cpu') {
      opts.skipCpu = true;
      continue;
    }
    const key = ints[arg];
    const value = Number(argv[i + 1]);
    if (key == null || !Number.isInteger(value) || value < 1) {
      throw new Error(
        `bench/wasm_matmul: bad argument ${JSON.stringify(arg)} ${JSON.stringify(argv[i + 1] ?? '')}; ` +
          `allowed: ${Object.keys(ints).join(' N, ')} N (positive integers), --skip-cpu`,
      );
    }
    (opts[key] as number) = value;
    i++;
  }
  return opts;
}

/** One run of `f`, its result read back (so the work is done), in ms. */
function timeOnce(f: () => tf.Tensor): number {
  const t0 = performance.now();
  const r = f();
  r.dataSync();
  const ms = performance.now() - t0;
  r.dispose();
  return ms;
}

interface OpCase {
  name: string;
  run: () => tf.Tensor;
}

function opCases(): { cases: OpCase[]; dispose: () => void } {
  const r = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
  const x = r([128, 784], 1);
  const g = r([128, 512], 2);
  const w = r([784, 512], 3);
  const bias = r([512], 4);
  const a3 = r([8, 128, 128], 5);
  const b3 = r([8, 128, 128], 6);
  const xT = tf.transpose(x);
  const data = r([2560, 784], 7);
  const rows = tf.tensor1d(
    Array.from({ length: 128 }, (_, i) => (i * 7919) % 2560),
    'int32',
  );
  // Adamax's maximum(beta2·u, |g|): mostly u wins, as in training.
  const u = tf.tidy(() => tf.abs(r([784, 512], 8)));
  const gAbs = tf.tidy(() => tf.mul(tf.abs(r([784, 512], 9)), 0.01));
  const v = r([784, 512], 10);
  const keep = [x, g, w, bias, a3, b3, xT, data, rows, u, gAbs, v];
  const cases: OpCase[] = [
    { name: 'matMul(x, g, transposeA) [128,784]^T [128,512]', run: () => tf.matMul(x, g, true, false) },
    { name: 'matMul(g, w, transposeB) [128,512] [784,512]^T', run: () => tf.matMul(g, w, false, true) },
    { name: 'matMul(x, w) [128,784] [784,512] (untransposed)', run: () => tf.matMul(x, w) },
    {
      name: 'fused.matMul(xT, w, transposeA, bias, relu) [784,128]^T [784,512]',
      run: () => tf.fused.matMul({ a: xT, b: w, transposeA: true, bias, activation: 'relu' }),
    },
    { name: 'matMul batched [8,128,128] [8,128,128]', run: () => tf.matMul(a3, b3) },
    { name: 'gather 128 rows of [2560,784] (model.fit batch)', run: () => tf.gather(data, rows) },
    { name: 'maximum [784,512] [784,512] (Adamax-like, mostly a > b)', run: () => tf.maximum(u, gAbs) },
    { name: 'maximum [784,512] [784,512] (random order)', run: () => tf.maximum(w, v) },
  ];
  return { cases, dispose: () => keep.forEach((t) => t.dispose()) };
}

async function benchOps(opts: Options): Promise<void> {
  await tf.setBackend('wasm');
  const { cases, dispose } = opCases();
  console.log(
    `\n## Per-op times on wasm (median and min of ${opts.reps} after warm-up, stock and optimized alternating), ms`,
  );
  console.log('| op | stock median | optimized median | speed-up | stock min | optimized min |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const c of cases) {
    const restore = optimizeWasmMatMul();
    for (let i = 0; i < 3; i++) timeOnce(c.run);
    restore();
    for (let i = 0; i < 3; i++) timeOnce(c.run);
    const stock: number[] = [];
    const fast: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      stock.push(timeOnce(c.run));
      optimizeWasmMatMul();
      fast.push(timeOnce(c.run));
      restore();
    }
    const s = median(stock);
    const f = median(fast);
    console.log(
      `| ${c.name} | ${s.toFixed(2)} | ${f.toFixed(2)} | ${(s / f).toFixed(1)}x | ` +
        `${Math.min(...stock).toFixed(2)} | ${Math.min(...fast).toFixed(2)} |`,
    );
  }
  dispose();
}

/** The reference MLP with ReLU (Dense 784-512-512-10), seeded. */
function buildMlp(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adamax(0.001), loss: 'categoricalCrossentropy' });
  return model;
}

interface TrainResult {
  /** Samples per wall-clock second. */
  samplesPerSecond: number;
  /** Samples per second of this process' CPU time (user + system): less
   * sensitive to other processes on a shared machine; wasm runs on one thread. */
  samplesPerCpuSecond: number;
  loss: number;
}

/** Trains a fresh MLP on random MNIST-shaped data; times `fit` after a short warm-up fit. */
async function trainThroughput(backend: 'wasm' | 'cpu', samples: number, epochs: number): Promise<TrainResult> {
  await tf.setBackend(backend);
  const xs = tf.randomUniform([samples, 784], 0, 1, 'float32', 11);
  const labels = tf.randomUniform([samples], 0, 10, 'int32', 12);
  const ys = tf.oneHot(labels, 10).toFloat();
  const model = buildMlp();
  // Warm-up: one short fit, so that one-time costs (first kernel calls,
  // fit's set-up) stay out of the timing.
  const [wx, wy] = [xs.slice(0, 256), ys.slice(0, 256)];
  await model.fit(wx, wy, { batchSize: 128, epochs: 1, shuffle: false, verbose: 0 });
  tf.dispose([wx, wy]);
  const before = tf.memory().numTensors;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const history = await model.fit(xs, ys, { batchSize: 128, epochs, shuffle: false, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) console.log(`  (tensor count changed by ${leaked} during fit on ${backend})`);
  const losses = history.history.loss as number[];
  model.dispose();
  tf.dispose([xs, labels, ys]);
  return {
    samplesPerSecond: (samples * epochs) / seconds,
    samplesPerCpuSecond: (samples * epochs) / cpuSeconds,
    loss: losses[losses.length - 1],
  };
}

async function benchTraining(opts: Options): Promise<void> {
  console.log(
    `\n## Reference MLP training (Dense 784-512-512-10, relu/softmax, Adamax 0.001, batch 128, ` +
      `random MNIST-shaped data), samples/s`,
  );
  console.log('| configuration | round | samples | epochs | samples/s | samples/CPU-s | last loss |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const stock: TrainResult[] = [];
  const fast: TrainResult[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (const optimized of [false, true]) {
      const restore = optimized ? optimizeWasmMatMul() : () => {};
      const kernels = isWasmMatMulOptimized() ? 'optimized' : 'stock';
      const r = await trainThroughput('wasm', opts.samples, opts.epochs);
      restore();
      (optimized ? fast : stock).push(r);
      console.log(
        `| wasm, ${kernels} kernels | ${round} | ${opts.samples} | ${opts.epochs} | ` +
          `${r.samplesPerSecond.toFixed(0)} | ${r.samplesPerCpuSecond.toFixed(0)} | ${r.loss.toFixed(4)} |`,
      );
    }
  }
  let cpu: TrainResult | undefined;
  if (!opts.skipCpu) {
    cpu = await trainThroughput('cpu', opts.cpuSamples, 1);
    console.log(
      `| cpu (pure JS) | 1 | ${opts.cpuSamples} | 1 | ${cpu.samplesPerSecond.toFixed(0)} | ` +
        `${cpu.samplesPerCpuSecond.toFixed(0)} | ${cpu.loss.toFixed(4)} |`,
    );
  }
  for (const key of ['samplesPerSecond', 'samplesPerCpuSecond'] as const) {
    const s = median(stock.map((r) => r[key]));
    const f = median(fast.map((r) => r[key]));
    const c = cpu != null ? `, cpu ${cpu[key].toFixed(0)}` : '';
    const unit = key === 'samplesPerSecond' ? 'samples/s' : 'samples/CPU-s';
    console.log(
      `median ${unit}: wasm stock ${s.toFixed(0)}, wasm optimized ${f.toFixed(0)} (${(f / s).toFixed(2)}x)${c}`,
    );
  }
}

/**
 * Where a training step's time goes, per kernel (tf.profile of `model.fit`
 * over 5 batches, so that fit's own batch gathering is included), on wasm
 * with the stock and the optimized kernels: the profile that points at the
 * slow kernels.
 */
async function profileStep(top: number): Promise<void> {
  await tf.setBackend('wasm');
  const steps = 5;
  const xs = tf.randomUniform([128 * steps, 784], 0, 1, 'float32', 21);
  const ys = tf.oneHot(tf.randomUniform([128 * steps], 0, 10, 'int32', 22), 10).toFloat();
  for (const optimized of [false, true]) {
    const restore = optimized ? optimizeWasmMatMul() : () => {};
    const model = buildMlp();
    const fit = () => model.fit(xs, ys, { batchSize: 128, epochs: 1, shuffle: false, verbose: 0 });
    await fit();
    const perKernel = new Map<string, { ms: number; calls: number }>();
    const info = await tf.profile(async () => {
      await fit();
    });
    for (const k of info.kernels) {
      const e = perKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls += 1;
      perKernel.set(k.name, e);
    }
    model.dispose();
    restore();
    const total = [...perKernel.values()].reduce((sum, e) => sum + e.ms, 0) / steps;
    console.log(
      `\n## Kernel time per training step on wasm, ${optimized ? 'optimized' : 'stock'} kernels ` +
        `(tf.profile of model.fit, mean of ${steps} batches; kernels total ${total.toFixed(1)} ms)`,
    );
    console.log('| kernel | calls | ms | share |');
    console.log('| --- | ---: | ---: | ---: |');
    [...perKernel]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .forEach(([name, e]) =>
        console.log(
          `| ${name} | ${e.calls / steps} | ${(e.ms / steps).toFixed(2)} | ${((100 * e.ms) / steps / total).toFixed(0)}% |`,
        ),
      );
  }
  tf.dispose([xs, ys]);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(
    `# bench/wasm_matmul: ${new Date().toISOString()}, node ${process.version}, ` +
      `${os.availableParallelism()} cores (${cpus[0]?.model ?? 'unknown CPU'}), tfjs ${tf.version.tfjs}, ` +
      `load average ${os.loadavg()[0].toFixed(2)}`,
  );
  await tf.setBackend('wasm');
  console.log(
    `wasm: SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, ` +
      `threads ${String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}`,
  );
  await benchOps(opts);
  await profileStep(10);
  await benchTraining(opts);
  console.log(`\nload average at the end: ${os.loadavg()[0].toFixed(2)} (other processes share these cores)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
