import * as tf from '@tensorflow/tfjs';
import { checkNumber, describe } from '../layers/common.js';
import { activationEntry, activationNames } from '../registry.js';

/** Samples per forward pass of {@link deadUnitFractions} unless `batchSize` says otherwise. */
export const DEFAULT_PROBE_BATCH_SIZE = 1000;

/** Options of {@link deadUnitFractions}. */
export interface DeadUnitOptions {
  /**
   * Samples per forward pass: peak memory is about `batchSize` times the width of every
   * activation layer's input, whatever the number of samples. A positive integer; default 1000.
   */
  batchSize?: number;
}

/** Per-layer fractions of units that never fire, keyed as described in {@link deadUnitFractions}. */
export type DeadUnitFractions = Record<string, number>;

/**
 * How the pre-activation of an {@link ActivationSite} is obtained:
 * - `'input'`: the site is a standalone activation layer; its pre-activation is its input.
 * - `'builtin'`: the site is a Dense or convolution layer with a built-in activation; its
 *   pre-activation is the layer's linear part (x·W + b, or the convolution plus bias).
 */
export type ActivationSiteKind = 'input' | 'builtin';

/** One activation found in a model by {@link findActivationSites}. */
export interface ActivationSite {
  /**
   * The key of this site in the result of {@link deadUnitFractions}: the layer's name, prefixed
   * with `<nested model name>/` for layers of a nested model, and suffixed with `:<call index>`
   * when a shared layer is reported per call (see {@link deadUnitFractions}).
   */
  readonly key: string;
  /** The layer itself (inside its nested model, for nested layers). */
  readonly layer: tf.layers.Layer;
  readonly kind: ActivationSiteKind;
  /** The axis of the pre-activation that indexes units: -1 (last) unless channels-first convolution (1). */
  readonly unitAxis: number;
  /** Units per sample position, from the symbolic shape; null when that dimension is unknown. */
  readonly units: number | null;
}

// ---------------------------------------------------------------------------------------------
// Which layers count

/** tfjs' own standalone activation layers. */
const TFJS_ACTIVATION_CLASSES = ['ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU'] as const;
/** tfjs layers with kernel, bias and a built-in `activation` argument. */
const BUILTIN_ACTIVATION_CLASSES = new Set([
  'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D',
  'DepthwiseConv2D',
]);
/**
 * Activations that are not counted: the identity has no units to kill, and (log-)softmax
 * normalizes across the unit axis, so "pre-activation <= 0" says nothing about a unit.
 */
const UNCOUNTED_ACTIVATIONS = new Set(['linear', 'softmax', 'logSoftmax']);

const userClasses = new Set<string>();

/**
 * Adds a layer class name (the `getClassName()` of a custom activation layer) to the classes
 * {@link deadUnitFractions} measures. Layers of this library and every activation added with
 * `registerActivation` are found without it.
 * @throws Error when `className` is not a non-empty string.
 */
export function registerActivationLayerClass(className: string): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw new Error(`registerActivationLayerClass: className must be a non-empty string, got ${describe(className)}.`);
  }
  userClasses.add(className);
}

let registryCache: { names: string; classes: Set<string> } | null = null;

/**
 * Class names of the layers the activation registry builds. Each entry's factory is called once
 * (with a fixed layer name, so that tfjs' automatic layer-name counters do not move) and again
 * only when the registry changes. Entries that build a tfjs `Activation` layer are left to the
 * Activation rule; an entry whose factory throws is skipped.
 */
function registryClasses(): Set<string> {
  const names = activationNames();
  const signature = names.join(',');
  if (registryCache?.names === signature) return registryCache.classes;
  const classes = new Set<string>();
  for (const name of names) {
    try {
      const layer = activationEntry(name).create({ name: 'deadunitprobe' });
      const cls = layer.getClassName();
      if (cls !== 'Activation') classes.add(cls);
    } catch {
      // An entry that cannot be built with its defaults cannot be recognized by class either.
    }
  }
  registryCache = { names: signature, classes };
  return classes;
}

/**
 * The class names measured as standalone activation layers (their pre-activation is their
 * input): tfjs' ReLU, LeakyReLU, PReLU, ELU and ThresholdedReLU; the class of every activation in
 * this library's registry (AReLU and the others, plus whatever `registerActivation` added); and
 * the names given to {@link registerActivationLayerClass}. tfjs `Activation` layers are measured
 * too, unless their activation is linear, softmax or logSoftmax.
 */
export function activationLayerClassNames(): string[] {
  return [...new Set<string>([...TFJS_ACTIVATION_CLASSES, ...registryClasses(), ...userClasses])];
}

/** The name of a tfjs layer's `activation` (e.g. 'relu'), or null when it has none. */
function builtinActivationName(layer: tf.layers.Layer): string | null {
  const activation = (layer as unknown as { activation?: { getClassName?: () => string } }).activation;
  return activation?.getClassName?.() ?? null;
}

function siteKind(layer: tf.layers.Layer, standalone: Set<string>): ActivationSiteKind | null {
  const cls = layer.getClassName();
  if (standalone.has(cls)) return 'input';
  if (cls === 'Activation' || BUILTIN_ACTIVATION_CLASSES.has(cls)) {
    const name = builtinActivationName(layer);
    if (name === null || UNCOUNTED_ACTIVATIONS.has(name)) return null;
    return cls === 'Activation' ? 'input' : 'builtin';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The graph: which calls of which layers belong to the model

/** The parts of a tfjs graph node used here (tfjs does not export its Node class). */
interface GraphNode {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

function nodeOf(layer: tf.layers.Layer, index: number): GraphNode {
  return (layer as unknown as { inboundNodes: GraphNode[] }).inboundNodes[index];
}

/**
 * The calls (inbound node indices) of each layer that lie on a path from the model's inputs to
 * its outputs, found by walking back from the outputs: the same set tfjs executes. A layer
 * shared with another model has calls outside this model, and those are left out.
 */
function modelCalls(model: tf.LayersModel): Map<tf.layers.Layer, number[]> {
  const inputIds = new Set(model.inputs.map((t) => t.id));
  const calls = new Map<tf.layers.Layer, number[]>();
  const seen = new Set<string>();
  const stack = [...model.outputs];
  while (stack.length > 0) {
    const t = stack.pop() as tf.SymbolicTensor;
    if (inputIds.has(t.id)) continue;
    const layer = t.sourceLayer;
    const key = `${layer.id}:${t.nodeIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = calls.get(layer) ?? [];
    list.push(t.nodeIndex);
    calls.set(layer, list);
    stack.push(...nodeOf(layer, t.nodeIndex).inputTensors);
  }
  for (const list of calls.values()) list.sort((a, b) => a - b);
  return calls;
}

function unitAxisOf(layer: tf.layers.Layer, kind: ActivationSiteKind): number {
  if (kind === 'builtin' && (layer.getConfig() as { dataFormat?: string }).dataFormat === 'channelsFirst') return 1;
  return -1;
}

function unitsOf(shape: tf.Shape, axis: number): number | null {
  if (shape.length <= 1) return 1;
  return shape[axis < 0 ? shape.length + axis : axis] ?? null;
}

// ---------------------------------------------------------------------------------------------
// The measurement plan: one probe model per (nested) model

/** One reported activation: the probe outputs (one per call) it reads. */
interface Target {
  site: ActivationSite;
  /** Indices into the probe's outputs: the pre-activation's source tensor of each call. */
  outputs: number[];
}

interface Plan {
  /** Outputs the input of every measured call; null when the model has nothing to measure. */
  probe: tf.LayersModel | null;
  targets: Target[];
  /** Models used as layers: their own plans, fed from this probe's outputs (one list per call). */
  nested: Array<{ plan: Plan; calls: number[][] }>;
}

function buildPlan(model: tf.LayersModel, prefix: string, standalone: Set<string>): Plan {
  const calls = modelCalls(model);
  const outputs: tf.SymbolicTensor[] = [];
  const outputIndex = new Map<number, number>();
  const use = (t: tf.SymbolicTensor): number => {
    let i = outputIndex.get(t.id);
    if (i === undefined) {
      i = outputs.length;
      outputs.push(t);
      outputIndex.set(t.id, i);
    }
    return i;
  };
  const targets: Target[] = [];
  const nested: Plan['nested'] = [];
  for (const layer of model.layers) {
    const nodeIndices = calls.get(layer);
    if (nodeIndices === undefined) continue;
    if (layer instanceof tf.LayersModel) {
      const plan = buildPlan(layer, `${prefix}${layer.name}/`, standalone);
      if (plan.probe !== null) {
        nested.push({ plan, calls: nodeIndices.map((n) => nodeOf(layer, n).inputTensors.map(use)) });
      }
      continue;
    }
    const kind = siteKind(layer, standalone);
    if (kind === null) continue;
    const unitAxis = unitAxisOf(layer, kind);
    const perCall = nodeIndices.map((n) => {
      const node = nodeOf(layer, n);
      // A standalone layer's units are its input's; a built-in one's are its output's (x·W + b).
      const shaped = kind === 'input' ? node.inputTensors[0] : node.outputTensors[0];
      return { n, source: node.inputTensors[0], units: unitsOf(shaped.shape, unitAxis) };
    });
    const pooled = perCall.every((c) => c.units === perCall[0].units);
    const groups = pooled ? [perCall] : perCall.map((c) => [c]);
    for (const group of groups) {
      const key = pooled ? `${prefix}${layer.name}` : `${prefix}${layer.name}:${group[0].n}`;
      targets.push({
        site: { key, layer, kind, unitAxis, units: group[0].units },
        outputs: group.map((c) => use(c.source)),
      });
    }
  }
  const probe =
    outputs.length === 0 ? null : tf.model({ inputs: model.inputs, outputs, name: `${model.name}_deadunitprobe` });
  return { probe, targets, nested };
}

function planSites(plan: Plan): ActivationSite[] {
  return [...plan.targets.map((t) => t.site), ...plan.nested.flatMap((n) => planSites(n.plan))];
}

/**
 * Every activation of `model` that {@link deadUnitFractions} measures, in the order of
 * `model.layers` (nested models' sites after the outer model's), with the key it reports under.
 * @throws Error when the model has no symbolic inputs (a Sequential model without an input shape).
 */
export function findActivationSites(model: tf.LayersModel): ActivationSite[] {
  checkModel(model);
  return planSites(buildPlan(model, '', new Set(activationLayerClassNames())));
}

// ---------------------------------------------------------------------------------------------
// Running the probe

/** A copy of a Dense/conv layer with a linear activation and the original's current weights. */
function linearCopy(layer: tf.layers.Layer, inputShape: tf.Shape): tf.layers.Layer {
  const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>;
  const config = { ...layer.getConfig(), activation: 'linear', name: `${layer.name}_preactivation` };
  delete (config as Record<string, unknown>).batchInputShape;
  const copy = cls.fromConfig(cls, config);
  copy.build(inputShape);
  copy.setWeights(layer.getWeights());
  return copy;
}

/** Max over every axis but `axis`: shape [units]. */
function unitMax(z: tf.Tensor, axis: number): tf.Tensor {
  if (z.rank <= 1) return z.max().reshape([1]);
  const a = axis < 0 ? z.rank + axis : axis;
  const others = [...Array(z.rank).keys()].filter((i) => i !== a);
  return z.max(others);
}

/** One measured call in one batch: its per-unit maxima, [units]. */
interface Segment {
  site: ActivationSite;
  tensor: tf.Tensor;
}

/** Runs `plan` on one batch and appends each measured call's per-unit maximum to `out`. */
function batchMaxima(
  plan: Plan,
  xs: tf.Tensor[],
  copies: Map<tf.layers.Layer, tf.layers.Layer>,
  out: Segment[],
): void {
  if (plan.probe === null) return;
  const result = plan.probe.predict(xs.length === 1 ? xs[0] : xs, { batchSize: xs[0].shape[0] });
  const ys = Array.isArray(result) ? result : [result];
  for (const { site, outputs } of plan.targets) {
    for (const i of outputs) {
      let z = ys[i];
      if (site.kind === 'builtin') {
        const copy = copies.get(site.layer) as tf.layers.Layer;
        z = copy.apply(z) as tf.Tensor;
      }
      out.push({ site, tensor: unitMax(z, site.unitAxis) });
    }
  }
  for (const { plan: inner, calls } of plan.nested) {
    for (const call of calls) batchMaxima(inner, call.map((i) => ys[i]), copies, out);
  }
}

function copiesFor(plan: Plan, copies: Map<tf.layers.Layer, tf.layers.Layer>): void {
  for (const { site, outputs } of plan.targets) {
    if (site.kind !== 'builtin' || copies.has(site.layer)) continue;
    const shape = (plan.probe as tf.LayersModel).outputs[outputs[0]].shape;
    copies.set(site.layer, linearCopy(site.layer, shape));
  }
  for (const { plan: inner } of plan.nested) copiesFor(inner, copies);
}

function checkModel(model: tf.LayersModel): void {
  if (!(model instanceof tf.LayersModel)) {
    throw new Error(`deadUnitFractions: model must be a tf.LayersModel (tf.sequential or tf.model), got ${describe(model)}.`);
  }
  if (!Array.isArray(model.inputs) || model.inputs.length === 0) {
    throw new Error(
      `deadUnitFractions: model '${model.name}' has no inputs yet; give its first layer an inputShape (or build it) first.`,
    );
  }
}

/** `inputs` as a list matching `model.inputs`; throws naming the expected and actual shapes. */
function checkInputs(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const expected = model.inputs.map((t) => t.shape);
  const shown = (shapes: tf.Shape[]) => (shapes.length === 1 ? describe(shapes[0]) : describe(shapes));
  if (list.length !== expected.length || !list.every((t) => t instanceof tf.Tensor)) {
    const got = list.every((t) => t instanceof tf.Tensor) ? shown(list.map((t) => t.shape)) : describe(inputs);
    throw new Error(
      `deadUnitFractions: inputs must be ${expected.length === 1 ? 'one tf.Tensor' : `${expected.length} tf.Tensors`} ` +
        `of shape ${shown(expected)} (null: any size), got ${got}.`,
    );
  }
  const disposed = list.findIndex((t) => t.isDisposed);
  if (disposed >= 0) {
    throw new Error(`deadUnitFractions: inputs${list.length > 1 ? `[${disposed}]` : ''} is a disposed tensor; pass tensors that are still alive.`);
  }
  const fits = (shape: number[], want: tf.Shape) =>
    shape.length === want.length && want.every((d, i) => d == null || d === shape[i]);
  const n = list[0].shape[0];
  if (!list.every((t, i) => fits(t.shape, expected[i]) && t.shape[0] === n)) {
    throw new Error(
      `deadUnitFractions: inputs must have shape ${shown(expected)} (null: any size, the same number of samples ` +
        `in every input), got ${shown(list.map((t) => t.shape))}.`,
    );
  }
  if (n === 0) {
    throw new Error(`deadUnitFractions: inputs hold no sample (shape ${shown(list.map((t) => t.shape))}); give at least one.`);
  }
  return list;
}

function checkBatchSize(value: unknown): number {
  return checkNumber('deadUnitFractions', 'batchSize', value, { min: 1, integer: true });
}

/**
 * A reusable measurement for one model: the probe models and the activation sites are found
 * once. {@link deadUnitFractions} builds one per call; `DeadUnitMonitor` keeps one per fit.
 */
export class DeadUnitProbe {
  /** Every measured activation, with its result key. */
  readonly sites: ActivationSite[];
  private readonly plan: Plan;

  /** @throws Error when `model` is not a tf.LayersModel with inputs. */
  constructor(readonly model: tf.LayersModel) {
    checkModel(model);
    this.plan = buildPlan(model, '', new Set(activationLayerClassNames()));
    this.sites = planSites(this.plan);
  }

  /**
   * `inputs` as one tensor per model input.
   * @throws Error naming the expected and actual shapes when they do not fit the model's inputs.
   */
  checkInputs(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return checkInputs(this.model, inputs);
  }

  /** See {@link deadUnitFractions}. */
  async measure(inputs: tf.Tensor | tf.Tensor[], options: DeadUnitOptions = {}): Promise<DeadUnitFractions> {
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'batchSize') throw new Error(`deadUnitFractions: unknown option '${key}'. Allowed: batchSize.`);
    }
    const batchSize = checkBatchSize(options?.batchSize ?? DEFAULT_PROBE_BATCH_SIZE);
    const list = checkInputs(this.model, inputs);
    if (this.sites.length === 0) return {};
    const n = list[0].shape[0];
    // Per site, the largest pre-activation seen so far for each unit; NaN never raises it.
    const maxima = new Map<ActivationSite, Float32Array>();
    const copies = new Map<tf.layers.Layer, tf.layers.Layer>();
    try {
      copiesFor(this.plan, copies);
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const segments: Segment[] = [];
        const all = tf.tidy(() => {
          const xs = list.map((x) => (start === 0 && size === n ? x : x.slice(start, size)));
          batchMaxima(this.plan, xs, copies, segments);
          return tf.concat(segments.map((s) => s.tensor.flatten()));
        });
        // One read per batch for all layers.
        const data = await all.data();
        all.dispose();
        let offset = 0;
        for (const { site, tensor } of segments) {
          const units = tensor.size; // the shape survives the tidy that disposed the tensor
          let m = maxima.get(site);
          if (m === undefined) {
            m = new Float32Array(units).fill(-Infinity);
            maxima.set(site, m);
          } else if (m.length !== units) {
            throw new Error(
              `deadUnitFractions: layer '${site.key}' had ${m.length} units in an earlier call or batch and ${units} now.`,
            );
          }
          for (let u = 0; u < units; u++) {
            const v = data[offset + u];
            if (v > m[u]) m[u] = v;
          }
          offset += units;
        }
      }
    } finally {
      for (const copy of copies.values()) for (const w of copy.weights) w.dispose();
    }
    const result: DeadUnitFractions = {};
    for (const site of this.sites) {
      const m = maxima.get(site) as Float32Array;
      let dead = 0;
      for (const v of m) if (!(v > 0)) dead++;
      result[site.key] = dead / m.length;
    }
    return result;
  }
}

/**
 * For every activation of `model`, the fraction of its units that never fire on `inputs`: units
 * whose pre-activation is <= 0 for every sample. For ReLU such a unit outputs 0 and gets no
 * gradient on that data: it is dead. For leaky or learnable slopes (LeakyReLU, PReLU, AReLU, ELU)
 * it still gets a gradient through the negative branch; the number then says how many units sit
 * entirely on that branch. For smooth activations (sigmoid, tanh, ...) it is the share of units
 * that are never positive, not a gradient statement.
 *
 * Which layers are measured:
 * - standalone activation layers whose class is in {@link activationLayerClassNames} (tfjs ReLU,
 *   LeakyReLU, PReLU, ELU, ThresholdedReLU, every layer class of this library's registry, and
 *   names added with {@link registerActivationLayerClass}): the pre-activation is the layer's input;
 * - tfjs `Activation` layers, except linear, softmax and logSoftmax: the same;
 * - Dense, Conv1D/2D/3D, Conv2DTranspose/Conv3DTranspose, SeparableConv2D and DepthwiseConv2D
 *   layers with a built-in activation other than linear, softmax and logSoftmax: the
 *   pre-activation is the layer's linear part (x·W + b, or convolution + bias), computed from the
 *   layer's input with a temporary linear copy holding the layer's current weights. The model is
 *   not changed.
 *
 * A unit is one position of the pre-activation's last axis (a feature of a Dense layer, a
 * channel of a channels-last convolution; axis 1 for a channels-first convolution with a built-in
 * activation). It counts as dead when its pre-activation is <= 0 for every sample and every other
 * position (time step, pixel). NaN values never count as firing.
 *
 * The result maps each measured layer's name to its dead fraction in [0, 1], in the order of
 * `model.layers`. Models used as layers (nested Sequential or functional models) are measured
 * too: their layers are reported as `'<nested model name>/<layer name>'`, at any depth. A layer
 * called several times within the model (a shared layer) pools its calls: a unit fires if it
 * fires in any call; when its calls have different unit counts each call is reported on its own
 * as `'<layer name>:<call index>'`. A model with no measured activation gives `{}`.
 *
 * Pre-activations are computed in inference mode (as `model.predict` does: dropout off, batch
 * normalization with its moving statistics), `batchSize` samples at a time, so that a
 * 10,000-image probe fits in memory; every intermediate tensor is disposed.
 *
 * @param model a built tf.LayersModel (Sequential or functional).
 * @param inputs one tensor per model input, of the model's input shape, with at least one sample.
 * @throws Error naming the expected and actual shapes when `inputs` do not fit the model's
 *   inputs; when `model` has no inputs yet; when `batchSize` is not an integer >= 1.
 *
 * @example
 * ```ts
 * const fractions = await deadUnitFractions(model, xTest.slice(0, 1000));
 * // {dense_Dense1: 0.42, re_lu_ReLU2: 0.1, ...}
 * ```
 */
export async function deadUnitFractions(
  model: tf.LayersModel,
  inputs: tf.Tensor | tf.Tensor[],
  options: DeadUnitOptions = {},
): Promise<DeadUnitFractions> {
  return new DeadUnitProbe(model).measure(inputs, options);
}

/** The mean of a fractions record's values; NaN when it is empty. */
export function meanFraction(fractions: DeadUnitFractions): number {
  const values = Object.values(fractions);
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
