/**
 * The library's WebAssembly SIMD kernels measured on their own (docs/performance.md, "WebAssembly
 * SIMD kernels on the wasm backend"):
 *
 * 1. accuracy of exp, expm1, sigmoid and sin against float64, on dense grids (the module on a
 *    memory of its own): largest relative error and largest distance in float32 ulps from the
 *    correctly rounded value;
 * 2. raw kernel times on one [128, 512] float32 tensor against tfjs-backend-wasm's own kernels
 *    (XNNPACK's Elu and Sigmoid, tfjs' EluGrad), calls alternating, median of the rounds;
 * 3. PELU's forward+backward against the scaled ELU's, both as this library's kernels through
 *    tfjs' engine (no layer), alternating: what PELU's two learnable scalars cost per call; and
 *    MSAF's kernels as an op with two outputs and with one (runHostKernelFirstOutput) against
 *    tfjs' sigmoid layer.
 *
 *   npx tsx bench/simd_kernels.ts [--points N] [--rounds N]
 *
 * Figures are printed, not asserted. About half a minute with the defaults.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../src/index.js';
import { runHostKernel, runHostKernelFirstOutput } from '../src/kernels/host_kernels.js';
import { simdKernelsFor, simdModuleBytes, type SimdKernels } from '../src/kernels/simd/instance.js';
import { EXP_MIN_ARG } from '../src/kernels/simd/wat_math.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { points: { type: 'string', default: '4000000' }, rounds: { type: 'string', default: '41' } } });
const POINTS = Number(values.points);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(POINTS) || POINTS < 1) throw new Error(`--points must be a positive integer, got ${values.points}`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);

/** The float32 spacing at |v| (for ulp distances). */
function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

function accuracy(): void {
  const chunk = 1 << 20;
  const memory = new WebAssembly.Memory({ initial: (2 * 4 * chunk) / 65536 + 1 });
  const k = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes()), { env: { memory } }).exports as unknown as SimdKernels;
  const cases = [
    { name: 'exp', lo: EXP_MIN_ARG, hi: 0, f: k.test_exp, ref: Math.exp },
    { name: 'expm1', lo: -20, hi: 0, f: k.test_expm1, ref: Math.expm1 },
    { name: 'sigmoid', lo: EXP_MIN_ARG, hi: 88, f: k.test_sigmoid, ref: (t: number) => 1 / (1 + Math.exp(-t)) },
    { name: 'sin', lo: -100, hi: 100, f: k.test_sin, ref: Math.sin },
  ];
  console.log(`## Accuracy against float64, ${POINTS} points per function (evenly spaced)`);
  console.log('| function | range | max relative error | max ulps from the rounded value | points 2+ ulps off | max absolute error |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const { name, lo, hi, f, ref } of cases) {
    let rel = 0;
    let ulps = 0;
    let far = 0;
    let abs = 0;
    for (let start = 0; start < POINTS; start += chunk) {
      const n = Math.min(chunk, POINTS - start);
      const x = new Float32Array(memory.buffer, 0, n);
      for (let i = 0; i < n; i++) x[i] = lo + ((hi - lo) * (start + i)) / (POINTS - 1);
      f(0, 4 * chunk, n);
      const y = new Float32Array(memory.buffer, 4 * chunk, n);
      for (let i = 0; i < n; i++) {
        const r = ref(x[i]);
        const d = Math.abs(y[i] - r);
        abs = Math.max(abs, d);
        if (r !== 0) rel = Math.max(rel, d / Math.abs(r));
        const u = Math.abs(y[i] - Math.fround(r)) / ulp(r);
        ulps = Math.max(ulps, u);
        if (u >= 2) far++;
      }
    }
    console.log(`| ${name} | [${lo}, ${hi}] | ${rel.toExponential(2)} | ${ulps.toFixed(2)} | ${far} | ${abs.toExponential(2)} |`);
  }
}

/** Median ms per call of each function, timed in alternating rounds of 20 calls. */
function alternate(fs: Array<() => void>): number[] {
  for (let w = 0; w < 30; w++) fs.forEach((f) => f());
  const times = fs.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    fs.forEach((f, i) => {
      const t0 = performance.now();
      for (let c = 0; c < 20; c++) f();
      times[i].push((performance.now() - t0) / 20);
    });
  }
  return times.map(median);
}

async function rawTimes(): Promise<void> {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as {
    dataIdMap: { get(id: tf.DataId): { memoryOffset: number } };
    disposeData(id: tf.DataId): boolean;
  };
  const k = simdKernelsFor(backend);
  if (k === null) throw new Error('the SIMD kernels cannot run here');
  const x = tf.randomNormal([128, 512], 0, 2, 'float32', 1);
  const dy = tf.randomNormal([128, 512], 0, 1, 'float32', 2);
  const y = tf.elu(x);
  const out = tf.zerosLike(x);
  const out2 = tf.zerosLike(x);
  const sums = tf.zeros([4]);
  const at = (t: tf.Tensor): number => backend.dataIdMap.get(t.dataId).memoryOffset;
  const info = (t: tf.Tensor): tf.TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: 'float32' });
  const stock = (name: string, inputs: tf.NamedTensorInfoMap) => (): void => {
    const config = tf.getKernel(name, 'wasm');
    if (config == null) throw new Error(`no wasm kernel ${name}`);
    const o = config.kernelFunc({ inputs, backend: tf.backend(), attrs: {} }) as tf.TensorInfo;
    backend.disposeData(o.dataId);
  };
  const n = x.size;
  const pairs: Array<[string, () => void, string, () => void]> = [
    ['scaled_elu (alpha 1)', () => k.scaled_elu(at(x), at(out), n, 1, 1), 'Elu (XNNPACK)', stock('Elu', { x: info(x) })],
    ['test_sigmoid', () => k.test_sigmoid(at(x), at(out), n), 'Sigmoid (XNNPACK)', stock('Sigmoid', { x: info(x) })],
    ['sigmoid_sum_first (MSAF, 1 sigmoid + slope)', () => k.sigmoid_sum_first(at(x), at(out), at(out2), n, 0, 0), 'Sigmoid (XNNPACK)', stock('Sigmoid', { x: info(x) })],
    ['sigmoid_sum_two (MSAF, 2 sigmoids + slope)', () => k.sigmoid_sum_two(at(x), at(out), at(out2), n, 0, 20, 0), 'Sigmoid (XNNPACK)', stock('Sigmoid', { x: info(x) })],
    ['scaled_elu_grad', () => k.scaled_elu_grad(at(dy), at(y), at(out), n, 1, 1), 'EluGrad', stock('EluGrad', { dy: info(dy), y: info(y) })],
    ['pelu', () => k.pelu(at(x), at(out), n, 1, 1), 'scaled_elu', () => k.scaled_elu(at(x), at(out), n, 1, 1)],
    ['pelu_grad', () => k.pelu_grad(at(dy), at(x), at(y), at(out), at(sums), at(sums) + 4, n, 1, 1, -1), 'scaled_elu_grad', () => k.scaled_elu_grad(at(dy), at(y), at(out), n, 1, 1)],
  ];
  console.log(`\n## Raw kernel calls on one [128, 512] tensor, ms (median of ${ROUNDS} alternating rounds of 20 calls)`);
  console.log('| ours | ms | against | ms | ratio |');
  console.log('| --- | ---: | --- | ---: | ---: |');
  for (const [a, fa, b, fb] of pairs) {
    const [ta, tb] = alternate([fa, fb]);
    console.log(`| ${a} | ${ta.toFixed(4)} | ${b} | ${tb.toFixed(4)} | ${(ta / tb).toFixed(2)} |`);
  }

  const a = tf.scalar(1.2);
  const b = tf.scalar(0.9);
  const grads = (f: () => tf.Tensor, xs: tf.Tensor[]) => (): void => {
    tf.tidy(() => {
      tf.engine().gradients(f, xs, dy);
    });
  };
  const [tPelu, tElu] = alternate([
    grads(() => runHostKernel('TfjsActivationsPELU', { x, a, b }) as tf.Tensor, [x, a, b]),
    grads(() => runHostKernel('TfjsActivationsScaledELU', { x }, { alpha: 1.5, beta: 1 }) as tf.Tensor, [x]),
  ]);
  console.log(`\n## Forward+backward through tfjs' engine, [128, 512] (median of ${ROUNDS} alternating rounds of 20)`);
  console.log(`PELU kernels (x, a, b): ${tPelu.toFixed(4)} ms; scaled-ELU kernels (x): ${tElu.toFixed(4)} ms; ratio ${(tPelu / tElu).toFixed(2)}`);

  // MSAF's kernel (outputs y and the saved slope) run directly, as one op with two outputs (tfjs
  // then makes a zeros dy for the slope on every backward pass), and as the layers run it, through
  // runHostKernelFirstOutput (one output); against tfjs' sigmoid layer.
  const attrs = { shifts: [0, 20], offset: 0 };
  const sigmoidLayer = tf.layers.activation({ activation: 'sigmoid' });
  const [tDirect, tFirst, tSigmoid] = alternate([
    grads(() => (runHostKernel('TfjsActivationsSigmoidSum', { x }, attrs) as tf.Tensor[])[0], [x]),
    grads(() => runHostKernelFirstOutput('TfjsActivationsSigmoidSum', { x }, attrs), [x]),
    grads(() => sigmoidLayer.apply(x) as tf.Tensor, [x]),
  ]);
  console.log(
    `MSAF kernels as an op with two outputs: ${tDirect.toFixed(4)} ms (${(tDirect / tSigmoid).toFixed(2)}x the sigmoid layer); ` +
      `with one (runHostKernelFirstOutput): ${tFirst.toFixed(4)} ms (${(tFirst / tSigmoid).toFixed(2)}x); sigmoid layer ${tSigmoid.toFixed(4)} ms`,
  );
  tf.dispose([x, dy, y, out, out2, sums, a, b]);
}

console.log(`# bench/simd_kernels: ${new Date().toISOString()}, node ${process.version}, tfjs ${tf.version.tfjs}`);
accuracy();
await rawTimes();
