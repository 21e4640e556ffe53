import * as tf from '@tensorflow/tfjs';

/**
 * The arguments every tfjs layer takes (`name`, `inputShape`, `batchInputShape`, `dtype`,
 * `trainable`, `weights`, ...). tfjs does not export its `LayerArgs` type from the package
 * root, so it is derived here from the `Layer` constructor.
 */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** The keyword arguments tfjs passes to `Layer.call` (`training`, `mask`, ...). */
export type Kwargs = Record<string, unknown>;

/** The one tensor a single-input layer's `call` receives (tfjs passes a tensor or an array). */
export function singleInput(layerClass: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) {
      throw new Error(`${layerClass} takes exactly one input tensor, got ${inputs.length}.`);
    }
    return inputs[0];
  }
  return inputs;
}

/** Names of the arguments every tfjs layer accepts, so that unknown names can be reported. */
const LAYER_ARG_NAMES = [
  'inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights',
  'inputDType',
] as const;

/**
 * Throws when `args` holds a key that is neither a tfjs LayerArgs key nor one of `own`.
 * A misspelt option (e.g. `initialSlop`) would otherwise be silently ignored.
 */
export function checkArgNames(layerClass: string, args: object | undefined, own: readonly string[]): void {
  if (args == null) return;
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new Error(`${layerClass}: args must be an object, got ${describe(args)}.`);
  }
  // tfjs adds `customObjects` to every config it deserializes.
  const allowed = new Set<string>([...LAYER_ARG_NAMES, ...own, 'customObjects']);
  for (const key of Object.keys(args)) {
    if (!allowed.has(key)) {
      throw new Error(
        `${layerClass}: unknown argument '${key}'. Allowed: ${[...own, ...LAYER_ARG_NAMES].join(', ')}.`,
      );
    }
  }
}

/**
 * Checks, before tfjs' Layer constructor sees them, the args a layer constructor receives: an
 * object (tfjs would fail on null with "Cannot read properties of null"), whose tfjs LayerArgs
 * have the types tfjs assumes without checking: `name` a string, `trainable` a boolean,
 * `inputShape` / `batchInputShape` arrays of integers >= 0 or null, `batchSize` an integer >= 1,
 * `dtype` 'float32' (the library's layers compute in float32). Pass the result to `super`.
 * @returns `args`, or `{}` when it is undefined.
 * @throws Error naming the layer, the argument, the value and what is allowed.
 */
export function layerArgs<T extends object>(layerClass: string, args: T | undefined | null): T {
  if (args === undefined) return {} as T;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error(`${layerClass}: args must be an object, got ${describe(args)}.`);
  }
  const a = args as Record<string, unknown>;
  const fail = (argName: string, allowed: string): never => {
    throw new Error(`${layerClass}: ${argName} must be ${allowed}, got ${describe(a[argName])}.`);
  };
  const isDim = (d: unknown) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= 0);
  if (a.name !== undefined && typeof a.name !== 'string') fail('name', 'a string');
  if (a.trainable !== undefined && typeof a.trainable !== 'boolean') fail('trainable', 'true or false');
  for (const argName of ['inputShape', 'batchInputShape']) {
    const shape = a[argName];
    if (shape !== undefined && shape !== null && !(Array.isArray(shape) && shape.every(isDim))) {
      fail(argName, 'an array of integers >= 0 or null (e.g. [784])');
    }
  }
  if (a.batchSize !== undefined && a.batchSize !== null) checkNumber(layerClass, 'batchSize', a.batchSize, { min: 1, integer: true });
  if (a.dtype !== undefined && a.dtype !== null && a.dtype !== 'float32') fail('dtype', "'float32' (the layer computes in float32)");
  return args;
}

/** A short printable form of any value, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Checks that `value` is a finite number within [min, max] (bounds inclusive unless stated) that
 * float32 can hold, and returns it (-0 as 0); otherwise throws an error naming the layer, the
 * argument, the value and the range.
 */
export function checkNumber(
  layerClass: string,
  argName: string,
  value: unknown,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {},
): number {
  const { min, max, minExclusive = false, maxExclusive = false, integer = false } = range;
  const allowed = rangeText(range);
  const fail = () => {
    throw new Error(`${layerClass}: ${argName} must be ${allowed}, got ${describe(value)}.`);
  };
  if (typeof value !== 'number' || !Number.isFinite(value)) fail();
  const v = value as number;
  if (integer && !Number.isInteger(v)) fail();
  if (min !== undefined && (minExclusive ? v <= min : v < min)) fail();
  if (max !== undefined && (maxExclusive ? v >= max : v > max)) fail();
  if (!holdsAsFloat32(v)) {
    // "0, or" only where the range allows 0 (not for "> 0").
    const zeroAllowed = (min === undefined || min < 0 || (min === 0 && !minExclusive)) && (max === undefined || max > 0 || (max === 0 && !maxExclusive));
    const float32Range = `${zeroAllowed ? '0, or ' : ''}${FLOAT32_MIN_NORMAL} <= |value| <= ${FLOAT32_MAX}`;
    throw new Error(`${layerClass}: ${argName} must be ${allowed} that float32 can hold (${float32Range}), got ${describe(value)}.`);
  }
  return v === 0 ? 0 : v; // -0 as 0
}

/** The smallest positive normal float32 value: below it float32 loses precision, then rounds to 0. */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Whether `v` keeps its meaning as a float32 layer argument: finite there, and either 0 or at
 * least float32's smallest normal number in magnitude (1e-46 would become 0, and 1e-40 a
 * subnormal whose reciprocal is infinite).
 */
export function holdsAsFloat32(v: number): boolean {
  return fitsFloat32(v) && (v === 0 || Math.abs(Math.fround(v)) >= FLOAT32_MIN_NORMAL);
}

/** The largest finite float32 value: every layer parameter is stored as float32 (larger numbers round to Infinity). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Whether the number `v` stays finite when stored as float32 (NaN and infinities do not). */
export function fitsFloat32(v: number): boolean {
  return Number.isFinite(Math.fround(v));
}

function rangeText(range: {
  min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean;
}): string {
  const kind = range.integer ? 'a finite integer' : 'a finite number';
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.minExclusive ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.maxExclusive ? '<' : '<='} ${range.max}`);
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

/** Checks that `value` is a boolean and returns it; otherwise throws an error naming the argument. */
export function checkBoolean(layerClass: string, argName: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${layerClass}: ${argName} must be true or false, got ${describe(value)}.`);
  }
  return value;
}

/** A tfjs weight initializer, e.g. `tf.initializers.constant({value: 1})`. */
export type Initializer = ReturnType<typeof tf.initializers.ones>;
/** A tfjs weight regularizer, e.g. `tf.regularizers.l2({l2: 1e-3})`. */
export type Regularizer = ReturnType<typeof tf.regularizers.l2>;

/** A tfjs initializer or regularizer in the serialized form a layer config holds. */
export interface SerializedObject {
  className: string;
  config: tf.serialization.ConfigDict;
}

/** An initializer argument: a tfjs initializer or its serialized form (what getConfig returns). */
export type InitializerArg = Initializer | SerializedObject;
/** A regularizer argument: a tfjs regularizer or its serialized form (what getConfig returns). */
export type RegularizerArg = Regularizer | SerializedObject;

/** The `{className, config}` form of a tfjs initializer or regularizer, as tfjs' own layers save it. */
export function serializeObject(obj: tf.serialization.Serializable): SerializedObject {
  return { className: obj.getClassName(), config: obj.getConfig() };
}

/**
 * Resolves an initializer or regularizer argument: a tfjs object is returned as is; a serialized
 * `{className, config}` (from getConfig or a saved model) is rebuilt through the tfjs class registry.
 * @throws Error naming the layer, the argument and the value when it is neither.
 */
export function resolveSerializable<T extends tf.serialization.Serializable>(
  layerClass: string,
  argName: string,
  value: unknown,
  kind: 'initializer' | 'regularizer',
): T {
  const example = kind === 'initializer' ? 'tf.initializers.constant({value: 0})' : 'tf.regularizers.l2({l2: 0.001})';
  const fail = (why: string): never => {
    throw new Error(
      `${layerClass}: ${argName} must be a tfjs ${kind} (e.g. ${example}) or its serialized form ` +
        `{className, config}, got ${describe(value)}${why}.`,
    );
  };
  const base = kind === 'initializer' ? INITIALIZER_BASE : REGULARIZER_BASE;
  if (value instanceof tf.serialization.Serializable) {
    return value instanceof base ? (value as T) : fail('');
  }
  if (value == null || typeof value !== 'object') return fail('');
  const { className, config } = value as Partial<SerializedObject>;
  if (typeof className !== 'string' || config == null || typeof config !== 'object') return fail('');
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) return fail(` (no tfjs class named '${className}' is registered)`);
  const [cls, fromConfig] = entry;
  const obj = fromConfig(cls, config);
  return obj instanceof base ? (obj as unknown as T) : fail(` ('${className}' is not ${kind === 'initializer' ? 'an' : 'a'} ${kind})`);
}

// tfjs does not export its Initializer and Regularizer base classes; they are the parents of the
// classes its factories return (Zeros extends Initializer, L1L2 extends Regularizer).
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const INITIALIZER_BASE = Object.getPrototypeOf(tf.initializers.zeros().constructor) as Function;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const REGULARIZER_BASE = Object.getPrototypeOf(tf.regularizers.l2().constructor) as Function;

/**
 * The size of the last axis of a layer's input shape (units of a dense layer, channels of a
 * channels-last convolution), for weights learned per unit / channel.
 * @throws Error naming the layer when the shape has no feature axis (rank < 2, the first axis
 *   being the batch) or its last dimension is not known.
 */
export function lastAxisSize(layerClass: string, inputShape: tf.Shape | tf.Shape[]): number {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  const units = shape[shape.length - 1];
  if (shape.length < 2 || units == null) {
    throw new Error(
      `${layerClass}: perUnit needs an input of rank >= 2 ([batch, ..., units]) whose last dimension is known, got input shape ${describe(shape)}.`,
    );
  }
  return units;
}

/**
 * The one tensor a single-input layer's `call` receives, cast to float32 when it is int32 or bool,
 * as tfjs' own activation layers output float32.
 */
export function floatInput(layerClass: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  const x = singleInput(layerClass, inputs);
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

/** Reads a weight created in build(); throws a clear error when the layer is used before build(). */
export function readWeight(layerClass: string, weight: tf.LayerVariable | null): tf.Tensor {
  return builtWeight(layerClass, weight).read();
}

/** One learnable parameter tensor of a {@link LearnedParamsLayer}. */
export interface LearnedParam {
  /** Weight name, e.g. `'t_left'`. */
  weight: string;
  /** Constructor argument that holds its initializer, e.g. `'tLeftInitializer'`. */
  initializerArg: string;
  /** Its initializer when the argument is absent; receives the constructor args. */
  defaultInitializer: (args: Record<string, unknown>) => Initializer;
  /** Constructor argument that holds its regularizer, for layers that offer one. */
  regularizerArg?: string;
}

/**
 * Base of the activation layers whose learnable parameters are float32 tensors learned per unit of
 * the last input axis (shape [...prefix, units]) or shared by the layer (shape prefix) with
 * `perUnit: false`, each with an initializer argument (tfjs object or serialized form) and
 * optionally a regularizer argument. It validates those arguments, creates the weights in build(),
 * reads them for call(), and puts `perUnit`, the initializers and the regularizers in getConfig().
 * Subclasses implement call() and may override paramPrefixShape().
 */
export abstract class LearnedParamsLayer extends tf.layers.Layer {
  protected readonly perUnit: boolean;
  private readonly layerClass: string;
  private readonly specs: readonly LearnedParam[];
  private readonly initializers: Initializer[];
  private readonly regularizers: Array<Regularizer | null>;
  private params: tf.LayerVariable[] = [];

  /**
   * @param ownArgs the subclass's other argument names (validated by the subclass).
   * @throws Error when `perUnit` is not a boolean, an initializer or regularizer argument is not a
   *   tfjs object of that kind or its serialized form, or `args` holds an unknown argument name.
   */
  protected constructor(layerClass: string, args: LayerArgs, specs: readonly LearnedParam[], ownArgs: readonly string[] = []) {
    super(layerArgs(layerClass, args));
    const all = args as Record<string, unknown>;
    const specArgs = specs.flatMap((s) => (s.regularizerArg ? [s.initializerArg, s.regularizerArg] : [s.initializerArg]));
    checkArgNames(layerClass, args, [...ownArgs, 'perUnit', ...specArgs]);
    this.layerClass = layerClass;
    this.specs = specs;
    this.perUnit = all.perUnit === undefined ? true : checkBoolean(layerClass, 'perUnit', all.perUnit);
    this.initializers = specs.map((s) =>
      all[s.initializerArg] === undefined
        ? s.defaultInitializer(all)
        : resolveSerializable<Initializer>(layerClass, s.initializerArg, all[s.initializerArg], 'initializer'),
    );
    this.regularizers = specs.map((s) =>
      s.regularizerArg === undefined || all[s.regularizerArg] == null
        ? null
        : resolveSerializable<Regularizer>(layerClass, s.regularizerArg, all[s.regularizerArg], 'regularizer'),
    );
    this.supportsMasking = true;
  }

  /** Leading dimensions of every parameter tensor (APL: [S]). Default: none. */
  protected paramPrefixShape(): number[] {
    return [];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = [...this.paramPrefixShape(), ...parameterShape(this.layerClass, inputShape, this.perUnit)];
    this.params = this.specs.map((s, i) =>
      this.addWeight(s.weight, shape, 'float32', this.initializers[i], this.regularizers[i] ?? undefined),
    );
    this.built = true;
  }

  /** The current parameter tensors, in the order of the specs (call inside tf.tidy). */
  protected readParams(): tf.Tensor[] {
    return this.specs.map((_, i) => readWeight(this.layerClass, this.params[i] ?? null));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: Record<string, unknown> = { ...super.getConfig(), perUnit: this.perUnit };
    this.specs.forEach((s, i) => {
      config[s.initializerArg] = serializeObject(this.initializers[i]);
      if (s.regularizerArg !== undefined) {
        const r = this.regularizers[i];
        config[s.regularizerArg] = r === null ? null : serializeObject(r);
      }
    });
    return config as tf.serialization.ConfigDict;
  }
}

/** `fallback` when `value` is undefined, else `value` checked by {@link checkBoolean}. */
export function optionalBoolean(layerClass: string, argName: string, value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(layerClass, argName, value);
}

/** Checks that `value` is one of the option strings `allowed` and returns it. */
export function checkOption<T extends string>(
  layerClass: string,
  argName: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(
      `${layerClass}: ${argName} must be one of ${allowed.map((o) => `'${o}'`).join(', ')}, got ${describe(value)}.`,
    );
  }
  return value as T;
}

/**
 * The shape of a learnable activation parameter: `[]` (one value shared by the whole layer) or,
 * when `perUnit` is set, `[d]` with d the last dimension of the input (units of a dense layer,
 * channels of a channels-last convolution), which broadcasts against the input.
 * @throws Error when `perUnit` is set and the last input dimension is not known at build time.
 */
export function parameterShape(layerClass: string, inputShape: tf.Shape | tf.Shape[], perUnit: boolean): number[] {
  return perUnit ? [lastAxisSize(layerClass, inputShape)] : [];
}

/** `variable` once the layer is built. @throws Error naming the layer when it is not built yet. */
export function builtWeight(layerClass: string, variable: tf.LayerVariable | null): tf.LayerVariable {
  if (variable == null) {
    throw new Error(`${layerClass}: the layer is used before build(); call it through a model or apply().`);
  }
  return variable;
}

/**
 * Base of the element-wise activation layers: one input of any shape, an output of the same shape
 * in float32, masks passed through. Subclasses implement {@link ElementwiseLayer.activate}, which
 * runs inside `tf.tidy` on the float32 input.
 */
export abstract class ElementwiseLayer extends tf.layers.Layer {
  constructor(args: LayerArgs) {
    super(layerArgs((new.target as unknown as { className: string }).className, args));
    this.supportsMasking = true;
  }

  /** The activation of `x` (float32); `kwargs.training` is true in `fit` and false or absent otherwise. */
  protected abstract activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.activate(floatInput(this.getClassName(), inputs), kwargs));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /**
   * Adds a trainable float32 weight `name` that starts at `initial` everywhere, of the shape
   * {@link parameterShape} gives for `inputShape` and `perUnit`. For use in `build`.
   */
  protected addParameter(name: string, inputShape: tf.Shape | tf.Shape[], perUnit: boolean, initial: number): tf.LayerVariable {
    const shape = parameterShape(this.getClassName(), inputShape, perUnit);
    return this.addWeight(name, shape, 'float32', tf.initializers.constant({ value: initial }), undefined, true);
  }
}

/** How a {@link SingleParameterLayer} subclass names and starts its one learnable parameter. */
export interface SingleParameter {
  /** Name of the trainable weight, e.g. `'beta'`. */
  weight: string;
  /** Name of the constructor argument holding its starting value, e.g. `'initialBeta'`. */
  initialArg: string;
  /** Starting value when the argument is absent. */
  initialDefault: number;
}

/**
 * Base of the element-wise layers with exactly one learnable parameter, shared by the layer
 * (shape []) or, with the `perUnit` argument, one per unit (shape [last input dim]). Handles the
 * two arguments (`<initialArg>`: any finite number; `perUnit`: boolean, default false), the weight
 * and the config; subclasses give their `className` and implement `activate`, reading the weight
 * with {@link SingleParameterLayer.parameter}.
 */
export abstract class SingleParameterLayer extends ElementwiseLayer {
  private readonly spec: SingleParameter;
  private readonly initial: number;
  private readonly perUnit: boolean;
  private variable: tf.LayerVariable | null = null;

  /**
   * @throws Error when the initial value is not a finite number, when `perUnit` is not a boolean,
   *   or when `args` holds an argument name the layer does not know.
   */
  constructor(layerClass: string, args: LayerArgs, spec: SingleParameter) {
    super(args);
    checkArgNames(layerClass, args, [spec.initialArg, 'perUnit']);
    this.spec = spec;
    const own = args as Record<string, unknown>;
    const given = own[spec.initialArg];
    this.initial = given === undefined ? spec.initialDefault : checkNumber(layerClass, spec.initialArg, given);
    this.perUnit = optionalBoolean(layerClass, 'perUnit', own.perUnit, false);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.variable = this.addParameter(this.spec.weight, inputShape, this.perUnit, this.initial);
    this.built = true;
  }

  /** The current value of the parameter (call inside `activate`). */
  protected parameter(): tf.Tensor {
    return builtWeight(this.getClassName(), this.variable).read();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), [this.spec.initialArg]: this.initial, perUnit: this.perUnit };
  }
}

/**
 * Sums `t` over the axes along which a parameter of shape `paramShape` ([] or [units], the last
 * axis) was broadcast against it: the gradient of that parameter from the element-wise one.
 */
export function sumToParamShape(t: tf.Tensor, paramShape: number[]): tf.Tensor {
  if (paramShape.length === 0) return tf.sum(t);
  if (t.rank <= 1) return t;
  return tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i));
}
