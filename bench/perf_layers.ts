/**
 * Layer timing for bench/perf.ts: forward and forward+backward time of each activation layer of
 * the library against its closest tfjs built-in layer, measured alternately in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { setHostKernelsEnabled } from '../src/kernels/host_kernels.js';
import { createActivation } from '../src/registry.js';
import { median } from './stats.js';

/**
 * The library's own layers (registry names) and the tfjs built-in layer each is compared with:
 * the built-in whose kernel the formula is built on (AReLU against LeakyReLU, as the issue asks;
 * PReLU-like layers against PReLU; the ELU family against ELU; ...). `relu` otherwise.
 */
export const CLOSEST_BUILTIN: Readonly<Record<string, string>> = {
  arelu: 'leaky-relu',
  'attention-arelu': 'prelu',
  srelu: 'prelu',
  apl: 'prelu',
  tlu: 'prelu',
  rrelu: 'leaky-relu',
  'acon-c': 'swish',
  'swish-beta': 'swish',
  pau: 'relu',
  maxout: 'relu',
  msaf: 'sigmoid',
  'msaf-symmetric': 'sigmoid',
  'adaptive-tanh': 'tanh',
  'elu-alpha': 'elu',
  celu: 'elu',
  pelu: 'elu',
  snake: 'relu',
};

/** Registry names of the library's layers, in the order the bench reports them. */
export const OWN_LAYERS = Object.keys(CLOSEST_BUILTIN);

/** Arguments that make a layer run its general path rather than a shortcut for the default value. */
export const LAYER_ARGS: Readonly<Record<string, Record<string, unknown>>> = {
  'elu-alpha': { alpha: 0.5 },
  celu: { alpha: 0.5 },
};

/** Backends whose kernels run synchronously: a result is computed when the op returns. */
const SYNC_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** One timed call of `f` in ms; `f` returns the tensors it made (disposed after timing). */
export function timeOnce(f: () => tf.Tensor[]): number {
  const t0 = performance.now();
  const out = f();
  if (!SYNC_BACKENDS.has(tf.getBackend())) for (const t of out) t.dataSync();
  const ms = performance.now() - t0;
  tf.dispose(out);
  return ms;
}

/**
 * Times the functions `fs` in rotation (repetition i starts with function i mod k), after `warmup`
 * calls of each, so that every function sees the same share of the machine's load.
 * Returns the times of each function, in the order of `fs`.
 */
export function rotate(fs: Array<() => tf.Tensor[]>, reps: number, warmup = 5): number[][] {
  for (let i = 0; i < warmup; i++) for (const f of fs) timeOnce(f);
  const times = fs.map(() => [] as number[]);
  for (let i = 0; i < reps; i++) {
    for (let k = 0; k < fs.length; k++) {
      const j = (i + k) % fs.length;
      times[j].push(timeOnce(fs[j]));
    }
  }
  return times;
}

/** Median over repetitions of the ratio a[i] / b[i] (both timed in the same repetition). */
export function pairedRatio(a: number[], b: number[]): number {
  return median(a.map((t, i) => t / b[i]));
}

/** A built layer on input [batch, units], with its forward and forward+backward calls. */
export interface LayerRunner {
  name: string;
  forward: () => tf.Tensor[];
  forwardBackward: () => tf.Tensor[];
  dispose: () => void;
}

/**
 * Builds the registry layer `name` for inputs of shape `shape` and returns closures that run its
 * forward pass (inference, as `predict` calls it) and its forward+backward pass (training: the
 * gradient with respect to the input and to every trainable weight, for an upstream gradient dy),
 * the way `model.fit` uses a layer.
 */
export function layerRunner(name: string, x: tf.Tensor, dy: tf.Tensor): LayerRunner {
  const layer = createActivation(name, LAYER_ARGS[name]);
  tf.tidy(() => {
    layer.apply(x);
  });
  const weights = layer.trainableWeights.map((w) => w.read());
  const engine = tf.engine();
  // Maxout halves the width: its upstream gradient has the output's shape.
  const outShape = (layer.computeOutputShape(x.shape) as number[]).map((d) => d as number);
  const dyOut = outShape.every((d, i) => d === dy.shape[i]) ? dy : tf.slice(dy, [0, 0], outShape);
  return {
    name,
    forward: () => [layer.apply(x, { training: false }) as tf.Tensor],
    forwardBackward: () => {
      const { value, grads } = engine.gradients(
        () => layer.apply(x, { training: true }) as tf.Tensor,
        [x, ...weights],
        dyOut,
      );
      return [value, ...grads];
    },
    dispose: () => {
      if (dyOut !== dy) dyOut.dispose();
      layer.dispose();
    },
  };
}

/**
 * The same layer as `runner` computed as its composition of tfjs ops (the library's own kernels
 * switched off around each call): what a user of plain tfjs would write for the same formula.
 */
export function asComposition(runner: LayerRunner): LayerRunner {
  const off = (f: () => tf.Tensor[]) => () => {
    const previous = setHostKernelsEnabled(false);
    try {
      return f();
    } finally {
      setHostKernelsEnabled(previous);
    }
  };
  return { ...runner, name: `${runner.name} (tfjs ops)`, forward: off(runner.forward), forwardBackward: off(runner.forwardBackward) };
}

/** One row of the layer table. */
export interface LayerTiming {
  backend: string;
  layer: string;
  builtin: string;
  shape: number[];
  /** Median ms of our layer, its closest built-in, ReLU and our formula as tfjs ops: forward (inference). */
  forward: { ours: number; builtin: number; relu: number; composition: number };
  /** Median ms of our layer, its closest built-in, ReLU and our formula as tfjs ops: forward+backward (training). */
  forwardBackward: { ours: number; builtin: number; relu: number; composition: number };
  /** Median over repetitions of ours/built-in; for forward+backward also ours/relu and ours/(tfjs ops). */
  ratios: { forward: number; forwardBackward: number; forwardBackwardVsRelu: number; forwardBackwardVsComposition: number };
}

/** Times one layer against its closest built-in and ReLU on the current backend. */
export function timeLayer(name: string, shape: number[], reps: number): LayerTiming {
  const builtin = CLOSEST_BUILTIN[name] ?? 'relu';
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
  const ours = layerRunner(name, x, dy);
  const runners = [ours, layerRunner(builtin, x, dy), layerRunner('relu', x, dy), asComposition(layerRunner(name, x, dy))];
  try {
    const [fo, fb, fr, fc] = rotate(runners.map((r) => r.forward), reps);
    const [bo, bb, br, bc] = rotate(runners.map((r) => r.forwardBackward), reps);
    return {
      backend: tf.getBackend(),
      layer: name,
      builtin,
      shape,
      forward: { ours: median(fo), builtin: median(fb), relu: median(fr), composition: median(fc) },
      forwardBackward: { ours: median(bo), builtin: median(bb), relu: median(br), composition: median(bc) },
      ratios: {
        forward: pairedRatio(fo, fb),
        forwardBackward: pairedRatio(bo, bb),
        forwardBackwardVsRelu: pairedRatio(bo, br),
        forwardBackwardVsComposition: pairedRatio(bo, bc),
      },
    };
  } finally {
    runners.forEach((r) => r.dispose());
    tf.dispose([x, dy]);
  }
}

export const LAYER_TABLE_HEADER =
  '| backend | shape | layer | built-in | fwd ms (ours / built-in) | fwd ratio | fwd+bwd ms (ours / built-in / relu / tfjs ops) | fwd+bwd ratio | vs relu | vs tfjs ops |\n' +
  '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |';

export function layerTableRow(t: LayerTiming): string {
  const ms = (v: number) => (v < 1 ? v.toFixed(3) : v.toFixed(2));
  const flag = t.ratios.forwardBackward <= 1.1 ? '' : ' *';
  return (
    `| ${t.backend} | ${t.shape.join('x')} | ${t.layer} | ${t.builtin} | ${ms(t.forward.ours)} / ${ms(t.forward.builtin)} | ` +
    `${t.ratios.forward.toFixed(2)} | ${ms(t.forwardBackward.ours)} / ${ms(t.forwardBackward.builtin)} / ${ms(t.forwardBackward.relu)} / ` +
    `${ms(t.forwardBackward.composition)} | ${t.ratios.forwardBackward.toFixed(2)}${flag} | ${t.ratios.forwardBackwardVsRelu.toFixed(2)} | ` +
    `${t.ratios.forwardBackwardVsComposition.toFixed(2)} |`
  );
}
