/**
 * The per-call cost of a layer's forward+backward pass, apart from its arithmetic: each layer on
 * a tiny tensor (default [1, 8]), where what is timed is tfjs' engine (tape, saved tensors,
 * gradient tensors) and the layer's own JavaScript, not the kernels' loops. Layers alternate in
 * every round (docs/performance.md, "After the fixed per-call costs were cut").
 *
 *   npx tsx bench/fixed_cost.ts [--backend wasm|cpu] [--shape 1x8] [--rounds 300]
 *                               [--layers elu,elu-alpha,pelu,sigmoid,msaf]
 *
 * Each round times 10 calls of each layer (gradients of the input and of every trainable weight,
 * as `model.fit` needs them); printed: the median µs per call and the median per-round ratio to
 * the first layer listed. Figures are printed, not asserted.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../src/index.js';
import { activationNames } from '../src/registry.js';
import { layerRunner } from './perf_layers.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    shape: { type: 'string', default: '1x8' },
    rounds: { type: 'string', default: '300' },
    layers: { type: 'string', default: 'elu,elu-alpha,pelu,sigmoid,msaf' },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${JSON.stringify(values.rounds)}`);
const shape = values.shape.split('x').map(Number);
if (shape.length !== 2 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
  throw new Error(`--shape must be two positive integers joined by x (e.g. 1x8), got ${JSON.stringify(values.shape)}`);
}
if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got ${JSON.stringify(values.backend)}`);
const names = values.layers.split(',');
const known = activationNames();
for (const n of names) if (!known.includes(n)) throw new Error(`--layers: ${JSON.stringify(n)} is not a registry name; allowed: ${known.join(', ')}`);

await tf.setBackend(values.backend);
const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
const runners = names.map((n) => layerRunner(n, x, dy));
const CALLS = 10;
const run = (k: number): void => {
  for (let j = 0; j < CALLS; j++) tf.dispose(runners[k].forwardBackward());
};
for (let w = 0; w < 50; w++) runners.forEach((_, k) => run(k));
const times = names.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < names.length; i++) {
    const k = (r + i) % names.length;
    const t0 = performance.now();
    run(k);
    times[k].push(((performance.now() - t0) / CALLS) * 1000);
  }
}
console.log(`# bench/fixed_cost: ${new Date().toISOString()}, ${values.backend}, shape ${shape.join('x')}, ${rounds} rounds of ${CALLS} calls`);
console.log(`| layer | µs per forward+backward | ratio to ${names[0]} |`);
console.log('| --- | ---: | ---: |');
names.forEach((n, k) => {
  const ratio = median(times[k].map((t, r) => t / times[0][r]));
  console.log(`| ${n} | ${median(times[k]).toFixed(1)} | ${ratio.toFixed(2)} |`);
});
runners.forEach((r) => r.dispose());
tf.dispose([x, dy]);
