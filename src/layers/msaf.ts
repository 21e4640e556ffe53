import * as tf from '@tensorflow/tfjs';
import { sigmoidSum } from '../kernels/sigmoid_sum.js';
import { checkArgNames, checkNumber, describe, ElementwiseLayer, holdsAsFloat32, type Kwargs, type LayerArgs } from './common.js';

/** Default offset a: 0, which makes the function an N-order MSAF in the paper's terms. */
export const DEFAULT_MSAF_OFFSET = 0;

/**
 * Default shifts b_k: the 2-order MSAF sigmoid(x) + sigmoid(x - 20), three states 0, 1 and 2 with
 * the middle plateau on 0 < x < 20. The paper's 2-order example starts its sum with sigmoid(x)
 * (b_1 = 0); see the class documentation about the value 20.
 */
export const DEFAULT_MSAF_SHIFTS: readonly number[] = [0, 20];

/** Arguments of the {@link MSAF} layer: the usual tfjs layer arguments plus the ones below. */
export interface MSAFArgs extends LayerArgs {
  /** The offset a added to the sum of sigmoids. A finite number. Default: 0. */
  a?: number;
  /**
   * The shifts b_1 < b_2 < ... < b_N of the N sigmoids: a non-empty array of finite numbers >= 0
   * in strictly increasing order. Default: [0, 20] (a 2-order MSAF).
   */
  b?: number[];
}

const OWN_ARGS = ['a', 'b'] as const;

/**
 * Multistate activation function (MSAF) of Cai, Xu, Ke and Su: element-wise
 *
 *     f(x) = a + sum_{k=1..N} 1 / (1 + exp(-x + b_k))  =  a + sum_k sigmoid(x - b_k)
 *
 * with fixed a and 0 <= b_1 < b_2 < ... < b_N. Each sigmoid adds one step, so the output has N+1
 * states a, a+1, ..., a+N instead of the logistic sigmoid's two. Derivative:
 * sum_k s_k (1 - s_k) with s_k = sigmoid(x - b_k). Nothing is learned.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input, values in (a, a + N).
 *
 * Source: C. Cai, Y. Xu, D. Ke and K. Su, "Deep Neural Networks with Multistate Activation
 * Functions", Computational Intelligence and Neuroscience, vol. 2015, article 721367, 2015
 * (doi:10.1155/2015/721367). The paper calls the case a = 0 an N-order MSAF; its symmetrical MSAF is
 * {@link SymmetricalMSAF}.
 *
 * Differences from secondary sources: the definition in the paper asks for b_k > 0, yet its 2-order
 * example starts with sigmoid(x), i.e. b_1 = 0 (a mismatch also noted by Kunc and Kléma's
 * activation survey); this layer accepts b_1 = 0. Some re-implementations default to b = [1, 2];
 * the default here keeps the paper's sigmoid(x) first term. The constant of the second step (20)
 * could not be checked against the paper's experiments; pass `b` to use other shifts.
 *
 * @example
 * ```ts
 * const layer = msaf({b: [0, 5, 10]}); // a 3-order MSAF with states 0, 1, 2, 3
 * ```
 */
export class MSAF extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'MSAF';

  private readonly a: number;
  private readonly b: number[];

  /**
   * @throws Error when `a` is not a finite number, when `b` is not a non-empty, strictly increasing
   *   array of finite numbers >= 0, or when `args` holds an argument name MSAF does not know.
   */
  constructor(args: MSAFArgs = {}) {
    super(args);
    checkArgNames('MSAF', args, OWN_ARGS);
    this.a = args.a === undefined ? DEFAULT_MSAF_OFFSET : checkNumber('MSAF', 'a', args.a);
    this.b = args.b === undefined ? [...DEFAULT_MSAF_SHIFTS] : checkShifts(args.b);
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return sigmoidSum(x, this.b, this.a);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), a: this.a, b: [...this.b] };
  }
}
tf.serialization.registerClass(MSAF);

function checkShifts(value: unknown): number[] {
  const allowed = 'a non-empty array of numbers >= 0 that float32 can hold (0, or 1.1754943508222875e-38 to 3.4028234663852886e+38), strictly increasing also when rounded to float32';
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(`MSAF: b must be ${allowed}, got ${describe(value)}.`);
  }
  value.forEach((bk, k) => {
    // As float32 too: the shifts are applied in float32, where 1 and 1 + 1e-12 are one shift.
    const ok = typeof bk === 'number' && holdsAsFloat32(bk) && bk >= 0 && (k === 0 || Math.fround(bk) > Math.fround(value[k - 1]));
    if (!ok) throw new Error(`MSAF: b must be ${allowed}, got ${describe(value)} (b[${k}] = ${describe(bk)}).`);
  });
  return (value as number[]).map((bk) => bk + 0); // -0 as 0
}

/**
 * Creates an {@link MSAF} layer (Cai et al. 2015): f(x) = a + sum_k sigmoid(x - b_k), default
 * a = 0 and b = [0, 20].
 */
export function msaf(args?: MSAFArgs): MSAF {
  return new MSAF(args);
}
