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
 * Checks that `value` is a finite number within [min, max] (bounds inclusive unless stated) and
 * returns it; otherwise throws an error naming the layer, the argument, the value and the range.
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
  return v;
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
