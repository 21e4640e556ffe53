/**
 * The replacement wasm matMul kernels against tfjs' pure-JS cpu backend (the
 * reference) and, where the stock wasm kernels are right, against those.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { isWasmMatMulOptimized, optimizeWasmMatMul } from '../../src/index.js';
import { cpuStockFast, expectStableMemory, maxAbsDiff, runOn, seededTensor, type Result } from './wasm_test_util.js';

const TOL = 1e-5;
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

afterEach(() => {
  optimizeWasmMatMul()(); // stock kernels between tests
});

/** Reference (cpu) and optimized wasm results of `f`, for inputs the stock kernel rejects. */
async function cpuAndFast(f: () => tf.Tensor): Promise<{ cpu: Result; fast: Result }> {
  const cpu = await runOn('cpu', f);
  const restore = optimizeWasmMatMul();
  const fast = await runOn('wasm', f);
  restore();
  return { cpu, fast };
}

/** Operand shape for an [m, k] matrix (or its transpose) with leading batch dims. */
function operand(batch: number[], rows: number, cols: number, transposed: boolean): number[] {
  return [...batch, ...(transposed ? [cols, rows] : [rows, cols])];
}

describe('optimizeWasmMatMul: registration', () => {
  it('works when called before the wasm backend is initialised', async () => {
    const restore = optimizeWasmMatMul();
    await tf.setBackend('wasm');
    const f = () => tf.matMul(seededTensor([7, 5], 1), seededTensor([3, 7], 2), true, true);
    const fast = await runOn('wasm', f);
    restore();
    const cpu = await runOn('cpu', f);
    expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
  });

  it('replaces the kernels, wraps once when called twice, and restores the stock configs', () => {
    const names = ['BatchMatMul', '_FusedMatMul', 'GatherV2', 'Maximum'];
    const stock = names.map((n) => tf.getKernel(n, 'wasm'));
    expect(isWasmMatMulOptimized()).toBe(false);

    const restore1 = optimizeWasmMatMul();
    const first = names.map((n) => tf.getKernel(n, 'wasm'));
    expect(isWasmMatMulOptimized()).toBe(true);
    first.forEach((c, i) => expect(c).not.toBe(stock[i]));

    const restore2 = optimizeWasmMatMul();
    names.forEach((n, i) => expect(tf.getKernel(n, 'wasm')).toBe(first[i]));

    restore2();
    expect(isWasmMatMulOptimized()).toBe(false);
    names.forEach((n, i) => expect(tf.getKernel(n, 'wasm')).toBe(stock[i]));
    restore1(); // no-op now
    names.forEach((n, i) => expect(tf.getKernel(n, 'wasm')).toBe(stock[i]));
  });

  it('keeps setup and dispose functions of the stock kernels', () => {
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const restore = optimizeWasmMatMul();
    const replaced = tf.getKernel('BatchMatMul', 'wasm');
    expect(replaced.setupFunc).toBe(stock.setupFunc);
    expect(replaced.kernelName).toBe('BatchMatMul');
    expect(replaced.backendName).toBe('wasm');
    restore();
  });

  it('throws, naming the cause, when the wasm kernels are not registered', () => {
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const stockFused = tf.getKernel('_FusedMatMul', 'wasm');
    tf.unregisterKernel('BatchMatMul', 'wasm');
    try {
      expect(() => optimizeWasmMatMul()).toThrow(/BatchMatMul.*not registered.*import '@tensorflow\/tfjs-backend-wasm'/);
      expect(tf.getKernel('_FusedMatMul', 'wasm')).toBe(stockFused); // nothing replaced
    } finally {
      tf.registerKernel(stock);
    }
    // A kernel the replacements call is missing: same kind of error, nothing replaced.
    const transpose = tf.getKernel('Transpose', 'wasm');
    tf.unregisterKernel('Transpose', 'wasm');
    try {
      expect(() => optimizeWasmMatMul()).toThrow(/Transpose are not registered/);
      expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
    } finally {
      tf.registerKernel(transpose);
    }
    expect(isWasmMatMulOptimized()).toBe(false);
  });
});

describe('BatchMatMul', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 1, 3],
    [1, 3, 129],
    [129, 3, 1],
    [3, 129, 3],
    [129, 129, 129],
  ];
  for (const [m, k, n] of sizes) {
    for (const [tA, tB] of FLAGS) {
      it(`2-D [${m},${k}]x[${k},${n}] transposeA=${tA} transposeB=${tB} equals cpu and stock`, async () => {
        const f = () =>
          tf.matMul(seededTensor(operand([], m, k, tA), m * 7 + k), seededTensor(operand([], k, n, tB), n * 5 + 1), tA, tB);
        const { cpu, stock, fast } = await cpuStockFast(f);
        expect(fast.shape).toEqual([m, n]);
        expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
        expect(maxAbsDiff(fast, stock)).toBeLessThanOrEqual(TOL);
      });
    }
  }

  // [batch dims of a], [batch dims of b], m, k, n: every route of the plan.
  const batched: [number[], number[], number, number, number, string][] = [
    [[4], [4], 3, 3, 3, 'stock (tiny)'],
    [[4], [4], 29, 13, 31, 'per-batch'],
    [[2, 3], [3], 29, 13, 31, 'per-batch, b repeated'],
    [[1], [4], 3, 129, 5, 'fold-a'],
    [[], [2, 3], 5, 3, 29, 'fold-a, rank 2 a'],
    [[4], [1], 3, 129, 5, 'fold-b'],
    [[2, 3], [], 5, 3, 29, 'fold-b, rank 2 b'],
  ];
  for (const [ba, bb, m, k, n, route] of batched) {
    for (const [tA, tB] of FLAGS) {
      it(`batched [${ba}]x[${bb}] (${m},${k},${n}) ${route} transposeA=${tA} transposeB=${tB}`, async () => {
        const f = () =>
          tf.matMul(seededTensor(operand(ba, m, k, tA), 11), seededTensor(operand(bb, k, n, tB), 12), tA, tB);
        const { cpu, stock, fast } = await cpuStockFast(f);
        expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
        expect(maxAbsDiff(fast, stock)).toBeLessThanOrEqual(TOL);
      });
    }
  }

  it('returns zeros for an inner dimension of 0 and handles empty products', async () => {
    const zero = await cpuStockFast(() => tf.matMul(tf.zeros([0, 3]), tf.zeros([0, 4]), true, false));
    expect(zero.fast.shape).toEqual([3, 4]);
    expect(Array.from(zero.fast.values)).toEqual(new Array(12).fill(0));
    const empty = await cpuStockFast(() => tf.matMul(tf.zeros([2, 0, 3]), tf.zeros([2, 3, 4])));
    expect(empty.fast.shape).toEqual(empty.cpu.shape);
  });

  it('gives the same data under two shapes the right product (XNNPACK weight cache)', async () => {
    // tfjs-backend-wasm caches an XNNPACK operator per b data id; a reshape
    // shares the data id. The stock kernel aborts the wasm module here.
    const f = () => {
      const b = seededTensor([4, 6], 3);
      const first = tf.matMul(seededTensor([2, 4], 4), b);
      const second = tf.matMul(seededTensor([2, 6], 5), tf.reshape(b, [6, 4]));
      return tf.concat([first.flatten(), second.flatten()]);
    };
    const cpu = await runOn('cpu', f);
    optimizeWasmMatMul();
    const fast = await runOn('wasm', f);
    expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
  });

  it('sends int32 operands to the stock kernel (same error as stock)', async () => {
    await tf.setBackend('wasm');
    const f = () => tf.matMul(tf.ones([2, 2], 'int32'), tf.ones([2, 2], 'int32'), true, false);
    let stockError = '';
    try {
      f();
    } catch (e) {
      stockError = (e as Error).message;
    }
    optimizeWasmMatMul();
    expect(stockError).not.toBe('');
    expect(f).toThrow(stockError);
  });
});

describe('tf.fused.matMul', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu', 'sigmoid'] as const;
  // [batch dims of a], [batch dims of b], m, k, n; k > 48 crosses the stock
  // kernel's block size, where it re-adds the bias and clamps partial sums.
  const shapes: [number[], number[], number, number, number][] = [
    [[], [], 4, 9, 3],
    [[], [], 5, 60, 7],
    [[3], [3], 5, 60, 7],
    [[3], [1], 5, 60, 7],
  ];
  for (const [ba, bb, m, k, n] of shapes) {
    for (const activation of activations) {
      for (const withBias of [false, true]) {
        it(`[${ba}]x[${bb}] (${m},${k},${n}) ${activation}${withBias ? ' + bias' : ''}, all transposes`, async () => {
          for (const [tA, tB] of FLAGS) {
            const f = () =>
              tf.fused.matMul({
                a: seededTensor(operand(ba, m, k, tA), 21),
                b: seededTensor(operand(bb, k, n, tB), 22),
                transposeA: tA,
                transposeB: tB,
                bias: withBias ? seededTensor([n], 23) : undefined,
                activation,
                preluActivationWeights: activation === 'prelu' ? seededTensor([n], 24) : undefined,
                leakyreluAlpha: 0.3,
              });
            const { cpu, stock, fast } = await cpuStockFast(f);
            expect(maxAbsDiff(fast, cpu), `transposeA=${tA} transposeB=${tB}`).toBeLessThanOrEqual(TOL);
            // The stock kernel is right on its XNNPACK path: untransposed single matrices.
            if (!tA && !tB && ba.length === 0) expect(maxAbsDiff(fast, stock)).toBeLessThanOrEqual(TOL);
          }
        });
      }
    }
  }

  it("the issue's case: [4,9]x[9,3] with bias and transposeA equals cpu", async () => {
    const f = () =>
      tf.fused.matMul({
        a: seededTensor([9, 4], 31),
        b: seededTensor([9, 3], 32),
        transposeA: true,
        bias: seededTensor([3], 33),
      });
    const { cpu, fast } = await cpuStockFast(f);
    expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
  });

  it('broadcasts a rank-2 bias and [m, 1] PReLU weights as cpu does', async () => {
    for (const [tA, tB] of FLAGS) {
      const f = () =>
        tf.fused.matMul({
          a: seededTensor(operand([], 6, 5, tA), 41),
          b: seededTensor(operand([], 5, 4, tB), 42),
          transposeA: tA,
          transposeB: tB,
          bias: seededTensor([6, 4], 43),
          activation: 'prelu',
          preluActivationWeights: seededTensor([6, 1], 44),
        });
      // The stock kernel throws on a rank-2 bias; cpu broadcasts it.
      const { cpu, fast } = await cpuAndFast(f);
      expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
    }
  });

  it('rejects an unknown activation and prelu without weights, naming the value', async () => {
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const inputs = { a: tf.ones([1, 3, 2]), b: tf.ones([1, 3, 2]) };
    const attrs = { transposeA: true, transposeB: false, leakyreluAlpha: 0.2 };
    expect(() => tf.engine().runKernel('_FusedMatMul', inputs, { ...attrs, activation: 'swish' })).toThrow(
      /activation "swish" is not supported; use one of linear, relu, relu6, elu, prelu, leakyrelu, sigmoid/,
    );
    expect(() => tf.engine().runKernel('_FusedMatMul', inputs, { ...attrs, activation: 'prelu' })).toThrow(
      /'prelu' needs preluActivationWeights/,
    );
    tf.dispose(Object.values(inputs));
  });
});

describe('gradients', () => {
  for (const activation of ['linear', 'relu'] as const) {
    it(`of a Dense layer (${activation}) with respect to kernel, bias and input equal cpu`, async () => {
      const f = () => {
        const layer = tf.layers.dense({ units: 7, activation });
        layer.build([5, 9]);
        layer.setWeights([seededTensor([9, 7], 51), seededTensor([7], 52)]);
        const x = tf.variable(seededTensor([5, 9], 53));
        const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, vars);
        const out = tf.concat(vars.map((v) => grads[v.name].flatten()));
        vars.forEach((v) => v.dispose());
        return out;
      };
      const { cpu, stock, fast } = await cpuStockFast(f);
      expect(maxAbsDiff(fast, cpu)).toBeLessThanOrEqual(TOL);
      expect(maxAbsDiff(fast, stock)).toBeLessThanOrEqual(TOL);
    });
  }

  it('of fused.matMul with transposes, bias and relu equal cpu', async () => {
    for (const [tA, tB] of FLAGS) {
      const f = () => {
        const a = seededTensor(operand([], 6, 70, tA), 61);
        const b = seededTensor(operand([], 70, 5, tB), 62);
        const bias = seededTensor([5], 63);
        const grads = tf.grads((aa, bb, cc) =>
          tf.sum(tf.fused.matMul({ a: aa, b: bb, transposeA: tA, transposeB: tB, bias: cc, activation: 'relu' })),
        )([a, b, bias]);
        return tf.concat(grads.map((g) => g.flatten()));
      };
      const { cpu, fast } = await cpuStockFast(f);
      expect(maxAbsDiff(fast, cpu), `transposeA=${tA} transposeB=${tB}`).toBeLessThanOrEqual(TOL);
    }
  });
});

describe('memory', () => {
  it('keeps tensors, bytes and backend data buffers stable over many calls on every route', async () => {
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const keep = {
      a2: seededTensor([40, 30], 71),
      b2: seededTensor([20, 40], 72),
      a3: seededTensor([4, 30, 25], 73),
      b3: seededTensor([4, 25, 30], 74),
      a1: seededTensor([1, 30, 25], 75),
      bias: seededTensor([20], 76),
      bias2: seededTensor([30, 20], 77),
      prelu: seededTensor([30, 1], 78),
      c2: seededTensor([40, 20], 79),
    };
    const k = keep;
    const ops: (() => tf.Tensor)[] = [
      () => tf.matMul(k.a2, k.b2, true, true), // swap
      () => tf.matMul(k.a2, k.c2, true, false), // fold-b, transposed a
      () => tf.matMul(k.a3, k.b3, false, false), // per-batch
      () => tf.matMul(k.a1, k.b3), // fold-a
      () => tf.matMul(k.b3, k.a3, true, true), // per-batch, transposed
      () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])), // zeros
      () => tf.fused.matMul({ a: k.a2, b: k.b2, transposeA: true, transposeB: true, bias: k.bias, activation: 'elu' }),
      () =>
        tf.fused.matMul({
          a: k.a2,
          b: k.b2,
          transposeA: true,
          transposeB: true,
          bias: k.bias2,
          activation: 'prelu',
          preluActivationWeights: k.prelu,
        }),
    ];
    expectStableMemory(() => ops.forEach((op) => tf.tidy(op).dispose()), 25);
    tf.dispose(Object.values(keep));
  });
});
