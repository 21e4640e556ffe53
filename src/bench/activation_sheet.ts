import * as tf from '@tensorflow/tfjs';
import { activationNames, createActivation } from '../registry.js';
import { PLOT_CONFIG, type PlotSpec } from './plots.js';

/** f and f' of one activation on the sheet's grid. */
export interface ActivationCurve {
  name: string;
  /** The grid (float64 values; the layer sees them rounded to float32). */
  x: number[];
  /** f(x), the layer's output. */
  f: number[];
  /** f'(x), from tf.grad of sum(f) with respect to the input (the layer acts element-wise). */
  df: number[];
}

/** Every activation's curves, and the ones that could not be drawn with the reason. */
export interface ActivationSheet {
  lo: number;
  hi: number;
  points: number;
  curves: ActivationCurve[];
  skipped: Array<{ name: string; reason: string }>;
}

/** Options of {@link computeActivationSheet}. */
export interface ActivationSheetOptions {
  /** Registry names to draw. Default: every registered activation, in registration order. */
  names?: readonly string[];
  /** Grid points, at least 2. Default 201 (step 0.05 on [-5, 5], so 0 is on the grid). */
  points?: number;
  /** Grid start. Default -5. */
  lo?: number;
  /** Grid end. Default 5. */
  hi?: number;
}

/** `points` evenly spaced numbers from `lo` to `hi`, both included. */
export function grid(lo: number, hi: number, points: number): number[] {
  if (!Number.isInteger(points) || points < 2) throw new Error(`grid: points must be an integer >= 2, got ${points}.`);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`grid: need finite lo < hi, got lo ${lo}, hi ${hi}.`);
  return Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}

/**
 * f(x) and f'(x) of each activation on a grid, like Atoum (2023)'s Fig. 9: each layer is created
 * from the registry with its default parameters, built on a [points, 1] input (per-unit parameters
 * get one unit) and applied in inference mode on the current tfjs backend; f' is tf.grad of
 * sum(f(x)), which is the element-wise derivative for an element-wise activation. A layer whose
 * output shape differs from its input's, or that throws, is listed in `skipped` instead.
 * Every tensor and weight created here is disposed.
 */
export function computeActivationSheet(options: ActivationSheetOptions = {}): ActivationSheet {
  const { names = activationNames(), points = 201, lo = -5, hi = 5 } = options;
  const x = grid(lo, hi, points);
  const curves: ActivationCurve[] = [];
  const skipped: ActivationSheet['skipped'] = [];
  for (const name of names) {
    let layer: tf.layers.Layer | null = null;
    try {
      const l = createActivation(name);
      layer = l;
      const probeShape = [null, 4];
      const outShape = l.computeOutputShape(probeShape) as (number | null)[];
      if (outShape.join(',') !== probeShape.join(',')) {
        // Maxout: a function of a group of units, not of one number; it has no f(x) to draw.
        throw new Error(`not element-wise: ${l.getClassName()} maps shape [${probeShape.join(', ')}] to [${outShape.join(', ')}]`);
      }
      const { f, df } = tf.tidy(() => {
        const xs = tf.tensor2d(x, [points, 1], 'float32');
        const apply = (t: tf.Tensor) => l.apply(t) as tf.Tensor;
        const y = apply(xs);
        if (y.shape.join(',') !== xs.shape.join(',')) {
          throw new Error(`not element-wise: output shape [${y.shape.join(', ')}] for input [${xs.shape.join(', ')}]`);
        }
        const g = tf.grad((t: tf.Tensor) => tf.sum(apply(t)))(xs);
        return { f: Array.from(y.dataSync()), df: Array.from(g.dataSync()) };
      });
      curves.push({ name, x, f, df });
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message });
    } finally {
      for (const w of layer?.weights ?? []) w.dispose();
    }
  }
  return { lo, hi, points, curves, skipped };
}

/**
 * Small multiples of the sheet: one panel per activation (registry order), f(x) solid and f'(x)
 * dashed, the axes x = 0 and y = 0 in grey, y scales independent per panel.
 */
export function activationSheetSpec(sheet: ActivationSheet): PlotSpec {
  const values: Array<Record<string, unknown>> = [];
  for (const c of sheet.curves) {
    c.x.forEach((x, i) => {
      for (const [curve, v] of [['f(x)', c.f[i]], ["f'(x)", c.df[i]]] as const) {
        if (Number.isFinite(v)) values.push({ activation: c.name, x, value: v, curve, first: i === 0 && curve === 'f(x)' });
      }
    });
  }
  const names = sheet.curves.map((c) => c.name);
  const axisRule = (channel: 'x' | 'y') => ({
    transform: [{ filter: 'datum.first' }],
    mark: { type: 'rule', color: '#999', strokeWidth: 0.8 },
    encoding: { [channel]: { datum: 0 } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Registered activations: f(x) and derivative f'(x) on [${sheet.lo}, ${sheet.hi}] (cf. Atoum 2023, Fig. 9)`,
      subtitle: `x on the horizontal axis; default parameters, inference mode; f' from tf.grad on ${sheet.points} points; y scales differ per panel`,
    },
    config: PLOT_CONFIG,
    data: { values },
    columns: names.length > 16 ? 5 : 4,
    facet: { field: 'activation', type: 'nominal', sort: names, title: null, header: { labelOrient: 'top' } },
    spec: {
      width: 170,
      height: 120,
      layer: [
        axisRule('x'),
        axisRule('y'),
        {
          mark: { type: 'line', strokeWidth: 1.8, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: null, scale: { domain: [sheet.lo, sheet.hi], nice: false }, axis: { tickCount: 5 } },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { tickCount: 5, minExtent: 30, maxExtent: 30 } },
            color: { field: 'curve', type: 'nominal', title: null, scale: { domain: ['f(x)', "f'(x)"], range: ['#1f5fa8', '#e0701b'] } },
            strokeDash: { field: 'curve', type: 'nominal', title: null, scale: { domain: ['f(x)', "f'(x)"], range: [[1, 0], [5, 3]] } },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  } as unknown as PlotSpec;
}
