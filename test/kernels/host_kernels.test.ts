import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerHostGradientKernel, runHostKernel, runHostKernelFirstOutput, setHostKernelsEnabled } from '../../src/kernels/host_kernels.js';
import { createActivation } from '../../src/registry.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, expectCloseSpecial, uniform } from '../helpers/numeric.js';

/**
 * Every layer gives the same values and gradients with its kernels (JavaScript loops, or wasm
 * kernel chains, or tfjs ops forward with a kernel backward) as with its composition of tfjs ops
 * (the path other backends take), on the same weights.
 */
const CASES: Array<{ name: string; args?: Record<string, unknown> }> = [
  { name: 'arelu' },
  { name: 'arelu', args: { initialSlope: 1.7 } },
  { name: 'attention-arelu' },
  { name: 'srelu' },
  { name: 'srelu', args: { perUnit: false } },
  { name: 'apl' },
  { name: 'apl', args: { perUnit: false, hinges: 3 } },
  { name: 'tlu' },
  { name: 'tlu', args: { perUnit: false } },
  { name: 'rrelu' },
  { name: 'acon-c' },
  { name: 'swish-beta' },
  { name: 'swish-beta', args: { perUnit: true } },
  { name: 'pau' }, // the unrolled kernel of the default degrees 5/4
  { name: 'pau', args: { initialNumerator: [0.1, 1, 0.5, 0.2], initialDenominator: [0.3, 0.2] } }, // the general loops
  { name: 'maxout' },
  { name: 'maxout', args: { pieces: 3 } },
  { name: 'msaf' },
  { name: 'msaf-symmetric' },
  { name: 'adaptive-tanh' },
  { name: 'adaptive-tanh', args: { perUnit: true } },
  { name: 'adaptive-tanh', args: { form: 'jagtap', perUnit: true } },
  { name: 'elu-alpha', args: { alpha: 0.5 } },
  { name: 'celu', args: { alpha: 0.5 } },
  { name: 'pelu' },
  { name: 'snake' },
  { name: 'snake', args: { perUnit: true } },
  { name: 'snake', args: { learnable: false, a: 2 } },
];

const UNITS = 6;
const ROWS = 5;
const SPECIAL = [0, -0, 1e-30, -1e-30, 1e-3, -1e-3, 2, -2, 30, -30, NaN, Infinity, -Infinity];

/** Random weights of the layer's shapes, so that per-unit parameters differ between units. */
function randomizeWeights(layer: tf.layers.Layer, seed: number): void {
  layer.trainableWeights.forEach((w, k) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    // Keep PELU's a, b above its bound and everything else near its default scale.
    const values = uniform(n, 0.3, 1.5, seed + k).map((v, i) => (i % 2 === 0 ? v : -v * 0.5));
    const positive = layer.getClassName() === 'PELU' ? values.map(Math.abs) : values;
    tf.tidy(() => {
      w.write(tf.tensor(positive, shape));
    });
  });
}

/** Values and gradients (input, then each trainable weight) of sum(layer(x) * r). */
function run(layer: tf.layers.Layer, x: tf.Tensor, r: tf.Tensor): { y: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const y = (layer.apply(x) as tf.Tensor).dataSync() as Float32Array;
    const variables = layer.trainableWeights.map((w) => w.read());
    const { grads } = tf.engine().gradients(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)), [x, ...variables]);
    return { y, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

describe.each(BACKENDS)('JavaScript kernels on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('$name $args: the same values and gradients as the tfjs ops', ({ name, args }) => {
    const layer = createActivation(name, args);
    const width = name === 'maxout' ? UNITS * 2 : UNITS;
    const outWidth = name === 'maxout' ? width / ((args?.pieces as number | undefined) ?? 2) : width;
    const pieces = (args?.pieces as number | undefined) ?? 2;
    const w = name === 'maxout' ? UNITS * pieces : width;
    layer.apply(tf.zeros([1, w]));
    randomizeWeights(layer, 7);
    const x = tf.tensor2d(uniform(ROWS * w, -3, 3, 11), [ROWS, w]);
    const r = tf.tensor2d(uniform(ROWS * (name === 'maxout' ? UNITS : outWidth), -1, 1, 12), [ROWS, name === 'maxout' ? UNITS : outWidth]);
    const fast = run(layer, x, r);
    const previous = setHostKernelsEnabled(false);
    let ops: { y: Float32Array; grads: Float32Array[] };
    try {
      ops = run(layer, x, r);
    } finally {
      setHostKernelsEnabled(previous);
    }
    expectClose(fast.y, ops.y, 1e-6, 1e-5);
    expect(fast.grads.length).toBe(ops.grads.length);
    fast.grads.forEach((g, k) => expectClose(g, ops.grads[k], 2e-5, 1e-4));

    // Special values: zeros, tiny, saturating, NaN and infinite inputs.
    if (name !== 'maxout') {
      const specialValues = [...SPECIAL.slice(0, UNITS), ...SPECIAL.slice(UNITS, 2 * UNITS), SPECIAL[12], 0, 0, 0, 0, 0];
      const special = tf.tensor2d(specialValues, [3, UNITS]);
      const a = tf.tidy(() => (layer.apply(special) as tf.Tensor).dataSync() as Float32Array);
      const inputGrad = (): Float32Array =>
        tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v) as tf.Tensor))(special).dataSync() as Float32Array);
      const ga = inputGrad();
      setHostKernelsEnabled(false);
      try {
        const b = tf.tidy(() => (layer.apply(special) as tf.Tensor).dataSync() as Float32Array);
        expectCloseSpecial(a, b, 1e-6, 1e-5, name);
        // The input gradient where the input is not NaN (at NaN the conventions of tfjs' own
        // gradients differ between ops: the slope of one side, 0 or NaN).
        const notNaN = (g: Float32Array): Float32Array => g.filter((_, i) => !Number.isNaN(specialValues[i]));
        expectCloseSpecial(notNaN(ga), notNaN(inputGrad()), 1e-6, 1e-5, `${name} input gradient`);
      } finally {
        setHostKernelsEnabled(previous);
      }
    }
    tf.dispose([x, r]);
    layer.dispose();
  });
});

describe('runHostKernelFirstOutput', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  // MSAF's kernel: outputs y and the saved slope.
  const KERNEL = 'TfjsActivationsSigmoidSum';
  const attrs = { shifts: [0, 2], offset: 0.5 };

  /** How many tensors the engine makes from JavaScript values while `f` runs. */
  function tensorsMadeFromValues(f: () => void): number {
    const engine = tf.engine();
    const original = engine.makeTensor.bind(engine);
    let made = 0;
    engine.makeTensor = ((...args: Parameters<typeof engine.makeTensor>) => {
      made++;
      return original(...args);
    }) as typeof engine.makeTensor;
    try {
      f();
    } finally {
      engine.makeTensor = original;
    }
    return made;
  }

  it('gives the first output and the registered gradient, without a zero gradient for the other output', () => {
    const x = tf.tensor2d(uniform(4 * 64, -4, 4, 3), [4, 64]);
    const dy = tf.tensor2d(uniform(4 * 64, -1, 1, 4), [4, 64]);
    const direct = (): tf.Tensor => (runHostKernel(KERNEL, { x }, attrs) as tf.Tensor[])[0];
    const first = (): tf.Tensor => runHostKernelFirstOutput(KERNEL, { x }, attrs);
    const run = (f: () => tf.Tensor): { y: Float32Array; dx: Float32Array; made: number } => {
      let y: Float32Array = new Float32Array();
      let dx: Float32Array = new Float32Array();
      const made = tensorsMadeFromValues(() =>
        tf.tidy(() => {
          const { value, grads } = tf.engine().gradients(f, [x], dy);
          y = value.dataSync() as Float32Array;
          dx = grads[0].dataSync() as Float32Array;
        }),
      );
      return { y, dx, made };
    };
    const a = run(first);
    const b = run(direct);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.dx)).toEqual(Array.from(b.dx));
    // Run directly, tfjs makes a tensor of zeros as the slope output's dy.
    expect(b.made).toBe(1);
    expect(a.made).toBe(0);
    tf.dispose([x, dy]);
  });

  it('keeps memory flat, with and without a gradient tape', () => {
    const x = tf.tensor2d(uniform(2 * 8, -4, 4, 5), [2, 8]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((v: tf.Tensor) => tf.sum(runHostKernelFirstOutput(KERNEL, { x: v }, attrs)))(x);
    });
    runHostKernelFirstOutput(KERNEL, { x }, attrs).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names a missing input and a kernel without a registered gradient', () => {
    expect(() => runHostKernelFirstOutput(KERNEL, {}, attrs)).toThrow(`${KERNEL}: input 'x' is missing.`);
    expect(() => runHostKernelFirstOutput('TfjsActivationsSigmoidSumGrad', {})).toThrow(/has no gradient registered/);
  });
});

describe('registerHostGradientKernel', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('rejects a saved input the forward kernel does not have', () => {
    expect(() => registerHostGradientKernel('TfjsActivationsSigmoidSum', 'TfjsActivationsSigmoidSumGrad', [null, 'slope'], ['z'])).toThrow(
      "registerHostGradientKernel: TfjsActivationsSigmoidSum has no input 'z'.",
    );
  });

  it.each([
    ['ELU-alpha (its gradient reads y only)', () => createActivation('elu-alpha', { alpha: 0.5 })],
    ['MSAF (its gradient reads the saved slope only)', () => createActivation('msaf')],
  ])('%s: the backward pass keeps one copy, not a copy of x as well', (_label, make) => {
    const layer = make();
    const x = tf.tensor2d(uniform(2 * 8, -3, 3, 21), [2, 8]);
    layer.apply(x);
    // tfjs' engine keeps each saved tensor as a copy made by its (private) clone method.
    const engine = tf.engine() as unknown as { clone: (t: tf.Tensor) => tf.Tensor };
    const original = engine.clone;
    let copies = 0;
    engine.clone = function (this: unknown, t: tf.Tensor) {
      copies++;
      return original.call(this, t);
    };
    try {
      tf.tidy(() => {
        tf.engine().gradients(() => layer.apply(x) as tf.Tensor, [x], tf.onesLike(x));
      });
    } finally {
      engine.clone = original;
    }
    expect(copies).toBe(1);
    x.dispose();
    layer.dispose();
  });
});
