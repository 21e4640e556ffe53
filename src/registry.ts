import * as tf from '@tensorflow/tfjs';
import { adaptiveTanh } from './layers/adaptive_tanh.js';
import { alphaELU } from './layers/alpha_elu.js';
import { arelu } from './layers/arelu.js';
import { attentionArelu } from './layers/attention_arelu.js';
import { srelu } from './layers/srelu.js';
import { apl } from './layers/apl.js';
import { aconC } from './layers/acon_c.js';
import { pau } from './layers/pau.js';
import { maxout } from './layers/maxout.js';
import { celu } from './layers/celu.js';
import { msaf } from './layers/msaf.js';
import { symmetricalMSAF } from './layers/msaf_symmetric.js';
import { pelu } from './layers/pelu.js';
import { rrelu } from './layers/rrelu.js';
import { snake } from './layers/snake.js';
import { swishBeta } from './layers/swish_beta.js';
import { tlu } from './layers/tlu.js';
import { checkArgNames, checkNumber, describe } from './layers/common.js';

/** Options passed through to an activation's layer factory (its `XxxArgs` plus tfjs LayerArgs). */
export type ActivationArgs = Record<string, unknown>;

/** One registered activation. */
export interface ActivationEntry {
  /** Lowercase kebab-case name, e.g. `'leaky-relu'`. */
  readonly name: string;
  /** One line: the formula or what the layer is. */
  readonly summary: string;
  /** True when the layer has parameters trained by gradient descent. */
  readonly learnable: boolean;
  /** Builds a new layer; `args` override the registry's defaults. */
  readonly create: (args?: ActivationArgs) => tf.layers.Layer;
}

const entries = new Map<string, ActivationEntry>();

/**
 * Adds an activation to this process' registry, so that {@link createActivation},
 * {@link activationNames} and `buildReferenceMLP` / `runExperiment` (from `tfjs-activations/node`)
 * accept it by name. The command-line tools (`npm run mnist`, `tfjs-activations-bench`) run in
 * their own processes and know only the built-in names; to measure your own activation on the
 * paper's protocol, call `runExperiment` in your program after registering it.
 * @throws Error when `name` is not lowercase kebab-case or is taken.
 */
export function registerActivation(entry: ActivationEntry): void {
  if (entry == null || typeof entry !== 'object') {
    throw new Error(`registerActivation: entry must be an object {name, summary, learnable, create}, got ${describe(entry)}.`);
  }
  if (typeof entry.name !== 'string' || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(entry.name)) {
    throw new Error(`registerActivation: name must be lowercase kebab-case (e.g. 'leaky-relu'), got ${describe(entry.name)}.`);
  }
  if (entries.has(entry.name)) {
    throw new Error(`registerActivation: '${entry.name}' is already registered.`);
  }
  if (typeof entry.summary !== 'string' || typeof entry.learnable !== 'boolean' || typeof entry.create !== 'function') {
    throw new Error(
      `registerActivation: '${entry.name}' needs summary (a string), learnable (a boolean) and create (a function), ` +
        `got summary ${describe(entry.summary)}, learnable ${describe(entry.learnable)}, create ${typeof entry.create}.`,
    );
  }
  entries.set(entry.name, entry);
}

/** Every registered activation name, in registration order. */
export function activationNames(): string[] {
  return [...entries.keys()];
}

/** The registry entry for `name`. @throws Error listing the valid names when `name` is unknown. */
export function activationEntry(name: string): ActivationEntry {
  const entry = entries.get(name);
  if (entry === undefined) {
    throw new Error(`Unknown activation ${describe(name)}. Valid names: ${activationNames().join(', ')}.`);
  }
  return entry;
}

/**
 * A new tfjs layer for the activation `name`, with the registry's defaults (the source paper's)
 * overridden by `args`.
 * @throws Error listing the valid names when `name` is unknown; the layer's own error for bad args.
 */
export function createActivation(name: string, args?: ActivationArgs): tf.layers.Layer {
  // `{alpha: options.alpha}` with no alpha must keep the registry's default, not restore tfjs'.
  const given =
    args != null && typeof args === 'object' && !Array.isArray(args)
      ? (Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as ActivationArgs)
      : args;
  const layer = activationEntry(name).create(given);
  if (!(layer instanceof tf.layers.Layer)) {
    throw new Error(`createActivation: the factory registered for '${name}' returned ${describe(layer)}, not a tfjs layer.`);
  }
  return layer;
}

/**
 * A tfjs layer whose int32 and bool inputs are cast to float32 before its own `call`, as the
 * library's layers do. tfjs' ReLU, Activation('selu'), ... otherwise return int32 or bool for
 * such inputs (on wasm after logging "Unknown dtype"), and elu, sigmoid, tanh, mish throw.
 * Only this instance changes: its class, config and saved JSON stay tfjs' own, so a saved model
 * loads without this package (as the plain tfjs layer, which does not cast).
 */
function withFloatInputs<L extends tf.layers.Layer>(layer: L): L {
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.every((t) => t.dtype === 'float32')) return call(inputs, kwargs);
    return tf.tidy(() => {
      const cast = list.map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
      return call(Array.isArray(inputs) ? cast : cast[0], kwargs);
    });
  };
  return layer;
}

/**
 * Checks the arguments given to one of tfjs' own layers through the registry: tfjs ignores
 * unknown names (a misspelt `alfa` would silently keep the default), so they are reported here;
 * `numbers` are checked with their allowed range.
 */
function checkTfjsArgs(
  layerClass: string,
  args: ActivationArgs | undefined,
  own: readonly string[],
  numbers: Record<string, Parameters<typeof checkNumber>[3] & { nullable?: boolean }> = {},
): AnyArgs {
  checkArgNames(layerClass, args, own);
  for (const [argName, { nullable = false, ...range }] of Object.entries(numbers)) {
    const value = args?.[argName];
    if (value !== undefined && !(nullable && value === null)) checkNumber(layerClass, argName, value, range);
  }
  return (args ?? {}) as AnyArgs;
}

/** tfjs' ELU layer supports alpha = 1 only; say so, and where any alpha is. */
function checkEluArgs(args: ActivationArgs | undefined): AnyArgs {
  const checked = checkTfjsArgs('ELU', args, ['alpha']);
  const alpha = args?.alpha;
  if (alpha !== undefined && alpha !== null && alpha !== 1) {
    throw new Error(`ELU: alpha must be 1 (tfjs' ELU layer supports no other value; 'elu-alpha' takes any alpha > 0), got ${describe(alpha)}.`);
  }
  return checked;
}

const builtin = (activation: string) => (args?: ActivationArgs) =>
  // tfjs' own Activation layer: no re-implementation of what tfjs already has.
  withFloatInputs(
    tf.layers.activation({ ...checkTfjsArgs('Activation', args, []), activation } as Parameters<typeof tf.layers.activation>[0]),
  );

type AnyArgs = Record<string, never>;
const fixed: Array<[string, string, boolean, (args?: ActivationArgs) => tf.layers.Layer]> = [
  ['arelu', "Atoum's AReLU: x for x > 0, l*x otherwise; l = last epoch's training loss (initial 0.1)", false,
    (args) => arelu(args as AnyArgs)],
  ['relu', 'max(0, x) (tfjs ReLU layer)', false,
    (args) => withFloatInputs(tf.layers.reLU(checkTfjsArgs('ReLU', args, ['maxValue'], { maxValue: { min: 0, minExclusive: true, nullable: true } })))],
  ['leaky-relu', 'max(alpha*x, x), alpha = 0.01 as in Maas et al. 2013 (tfjs LeakyReLU layer; tfjs default is 0.3)', false,
    (args) => withFloatInputs(tf.layers.leakyReLU({ alpha: 0.01, ...checkTfjsArgs('LeakyReLU', args, ['alpha'], { alpha: { min: 0 } }) }))],
  ['prelu', 'max(alpha*x, x), alpha learnable per unit, initial 0.25 as in He et al. 2015 (tfjs PReLU layer; tfjs default is 0)', true,
    (args) => withFloatInputs(tf.layers.prelu({
      alphaInitializer: tf.initializers.constant({ value: 0.25 }),
      ...checkTfjsArgs('PReLU', args, ['alphaInitializer', 'alphaRegularizer', 'alphaConstraint', 'sharedAxes']),
    }))],
  ['elu', 'x for x > 0, exp(x) - 1 otherwise (tfjs ELU layer, alpha 1)', false,
    (args) => withFloatInputs(tf.layers.elu(checkEluArgs(args)))],
  ['sigmoid', '1 / (1 + exp(-x)) (tfjs)', false, builtin('sigmoid')],
  ['tanh', 'tanh(x) (tfjs)', false, builtin('tanh')],
  ['selu', 'scale * elu(x, alpha) with the self-normalizing constants (tfjs)', false, builtin('selu')],
  ['softplus', 'log(1 + exp(x)) (tfjs)', false, builtin('softplus')],
  ['swish', 'x * sigmoid(x) (tfjs)', false, builtin('swish')],
  ['mish', 'x * tanh(softplus(x)) (tfjs)', false, builtin('mish')],
  ['gelu', 'x * Phi(x), Gaussian CDF (tfjs)', false, builtin('gelu')],
  ['relu6', 'min(max(0, x), 6) (tfjs)', false, builtin('relu6')],
  ['attention-arelu', "Chen et al.'s attention AReLU: (1 + sigmoid(beta)) x for x > 0, clamp(alpha, 0.01, 0.99) x otherwise; alpha 0.9, beta 2 learnable per layer", true,
    (args) => attentionArelu(args as AnyArgs)],
  ['srelu', 'S-shaped ReLU (Jin et al. 2016): t_l + a_l(x - t_l) below t_l, x between, t_r + a_r(x - t_r) above t_r; 4 learnable per unit, starts as leaky ReLU 0.01 (t_r 1)', true,
    (args) => srelu(args as AnyArgs)],
  ['apl', 'Adaptive piecewise linear (Agostinelli et al. 2015): max(0, x) + sum_s a_s max(0, b_s - x), S = 2 hinges learnable per unit, a ~ U(-0.25, 0.25), b ~ N(0, 0.5^2)', true,
    (args) => apl(args as AnyArgs)],
  ['acon-c', 'ACON-C (Ma et al. 2021): (p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x; p1, p2 ~ N(0, 1) and beta = 1 learnable per unit', true,
    (args) => aconC(args as AnyArgs)],
  ['pau', 'Pade activation unit (Molina et al. 2020): P(x)/Q(x), P degree 5, safe Q = 1 + sum_k |b_k| |x|^k degree 4, 10 learnable per layer, starting at the authors\' leaky-ReLU fit', true,
    (args) => pau(args as AnyArgs)],
  ['maxout', 'Maxout (Goodfellow et al. 2013): max over groups of k = 2 consecutive units; halves the width (after Dense(512): 256 units, the Dense computes the pieces)', false,
    (args) => maxout(args as AnyArgs)],
  ['msaf', 'Cai et al. 2015 multistate AF: a + sum_k sigmoid(x - b_k), a = 0, b = [0, 20]', false,
    (args) => msaf(args as AnyArgs)],
  ['msaf-symmetric', 'Cai et al. 2015 symmetrical MSAF: -1 + sigmoid(x) + sigmoid(x + a), a = -20', false,
    (args) => symmetricalMSAF(args as AnyArgs)],
  ['adaptive-tanh', 'a*tanh(b*x), a and b learnable from 1 (option: Jagtap et al. 2020 tanh(n*a*x))', true,
    (args) => adaptiveTanh(args as AnyArgs)],
  ['elu-alpha', 'Clevert et al. 2016 ELU with any alpha > 0: x for x > 0, alpha*(exp(x) - 1) otherwise, alpha = 1', false,
    (args) => alphaELU(args as AnyArgs)],
  ['celu', 'Barron 2017 CELU: max(0, x) + min(0, alpha*(exp(x/alpha) - 1)), alpha = 1', false,
    (args) => celu(args as AnyArgs)],
  ['tlu', 'Singh & Krishnan 2020 TLU: max(x, tau), tau learnable per unit from 0', true,
    (args) => tlu({ perUnit: true, ...(args as AnyArgs) })],
  ['swish-beta', 'Ramachandran et al. 2017 Swish: x*sigmoid(beta*x), beta learnable from 1', true,
    (args) => swishBeta(args as AnyArgs)],
  ['snake', 'Ziyin et al. 2020 Snake: x + sin^2(a*x)/a, a learnable from 0.5', true, (args) => snake(args as AnyArgs)],
  ['pelu', 'Trottier et al. 2017 PELU: (a/b)*x for x >= 0, a*(exp(x/b) - 1) otherwise, a, b > 0 learnable from 1', true,
    (args) => pelu(args as AnyArgs)],
  ['rrelu', 'Xu et al. 2015 RReLU: x for x >= 0, x/a otherwise, a ~ U(3, 8) in training, a = 5.5 at inference', false,
    (args) => rrelu(args as AnyArgs)],
];
for (const [name, summary, learnable, create] of fixed) registerActivation({ name, summary, learnable, create });
