import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mnistMain } from '../../src/cli/mnist.js';
import type { RunRecord } from '../../src/experiment/record.js';

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  let text = '';
  pass.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: pass as unknown as NodeJS.WriteStream, text: () => text };
}

describe('npm run mnist', () => {
  it('trains on real MNIST, reaches 85% test accuracy on 4,000 images in 3 epochs, and writes its record', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mnist-cli-'));
    const io = capture();
    const result = await mnistMain(
      ['--epochs', '3', '--train-size', '4000', '--test-size', '1000', '--backend', 'wasm', '--seed', '3', '--out', out],
      io.stream,
    );
    expect(result).not.toBeNull();
    const { record, file } = result!;
    expect(readdirSync(out)).toEqual([file.split('/').at(-1)]);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    expect(saved).toEqual(JSON.parse(JSON.stringify(record)));

    expect(record.activation).toBe('arelu');
    expect(record.seed).toBe(3);
    expect(record.backend).toBe('wasm');
    expect(record.kernels).toBe('optimized');
    expect(record.config).toMatchObject({ epochs: 3, batchSize: 128, lr: 0.001, initialSlope: 0.1, trainSize: 4000, testSize: 1000 });
    expect(record.epochs).toHaveLength(3);
    // The slope in effect during epoch 1 is the initial one; during epoch k+1, epoch k's loss.
    expect(record.epochs[0].slope).toBeCloseTo(0.1, 6);
    expect(record.epochs[1].slope).toBeCloseTo(record.epochs[0].loss, 5);
    expect(record.epochs[2].slope).toBeCloseTo(record.epochs[1].loss, 5);
    expect(record.epochs[2].loss).toBeLessThan(record.epochs[0].loss);
    // The final test evaluation uses the same weights as the last validation, but the slope set
    // after the last epoch (the paper's Fig. 7: update the slope, then evaluate), so it is close,
    // not equal.
    expect(record.test.total).toBe(1000);
    expect(Math.abs(record.test.accuracy - record.epochs[2].valAcc!)).toBeLessThan(0.02);
    expect(record.test.misclassificationRate).toBeCloseTo((100 * record.test.errors) / 1000, 10);
    expect(record.test.accuracy).toBeGreaterThan(0.85);
    expect(record.samplesPerSecond).toBeGreaterThan(0);
    expect(io.text()).toMatch(/backend: wasm with optimizeWasmMatMul/);
    expect(io.text()).toMatch(/Epoch 3\/3 - .*slope: /);
    expect(io.text()).toMatch(new RegExp(`misclassification rate: ${record.test.misclassificationRate.toFixed(2)}% \\(${record.test.errors}/1000\\)`));
  });

  it('gives the same numbers for the same seed on the same backend', async () => {
    const args = ['--epochs', '1', '--train-size', '600', '--test-size', '200', '--backend', 'wasm', '--activation', 'relu'];
    const a = await mnistMain([...args, '--out', mkdtempSync(join(tmpdir(), 'a-'))], capture().stream);
    const b = await mnistMain([...args, '--out', mkdtempSync(join(tmpdir(), 'b-'))], capture().stream);
    expect(b!.record.epochs[0].loss).toBe(a!.record.epochs[0].loss);
    expect(b!.record.test).toEqual(a!.record.test);
    const c = await mnistMain([...args, '--seed', '2', '--out', mkdtempSync(join(tmpdir(), 'c-'))], capture().stream);
    expect(c!.record.epochs[0].loss).not.toBe(a!.record.epochs[0].loss);
  });

  it('records a null slope for activations without one', async () => {
    const r = await mnistMain(
      ['--epochs', '1', '--train-size', '300', '--test-size', '100', '--backend', 'cpu', '--activation', 'elu', '--out', mkdtempSync(join(tmpdir(), 'e-'))],
      capture().stream,
    );
    expect(r!.record.epochs[0].slope).toBeNull();
    expect(r!.record.kernels).toBeNull();
    expect(r!.record.backend).toBe('cpu');
  });

  it('prints its help', async () => {
    const io = capture();
    expect(await mnistMain(['--help'], io.stream)).toBeNull();
    expect(io.text()).toMatch(/--activation NAME/);
    expect(io.text()).toMatch(/--stock-kernels/);
  });

  it.each([
    [['--epochs', '0'], /--epochs must be an integer >= 1, got '0'/],
    [['--epochs', 'ten'], /--epochs must be an integer >= 1, got 'ten'/],
    [['--lr=-1'], /--lr must be a finite number > 0, got '-1'/],
    [['--lr', '-1'], /--lr must be a finite number > 0, got '-1'/],
    [['--epochs', '-3'], /--epochs must be an integer >= 1, got '-3'/],
    [['--epochs', '0x2'], /--epochs must be an integer >= 1, got '0x2'/],
    [['--train-size', '2e3'], /--train-size must be an integer from 1 to 60000, got '2e3'/],
    [['--lr', '0x1'], /--lr must be a finite number > 0, got '0x1'/],
    [['--out', '/dev/null/x'], /--out \/dev\/null\/x: cannot create or write this folder \(ENOTDIR\)/],
    // Node's recursive mkdir spins forever here; the folder check must fail at once instead.
    [['--out', '/proc/no-such-folder/x'], /--out \/proc\/no-such-folder\/x: cannot create or write this folder \(ENOENT\)/],
    [['--out', ''], /--out must name a folder, got an empty value/],
    [['--data-dir', ' '], /--data-dir must name a folder, got an empty value/],
    [['--backend', 'cpu', '--stock-kernels'], /--stock-kernels applies to the wasm backend only, got --backend cpu/],
    [['--initial-slope', '1e39'], /--initial-slope must be a finite number >= 0 that float32 can hold/],
    // Subnormal in float32: rejected here, before any folder is made (the layer would reject it later).
    [['--initial-slope', '1e-40'], /--initial-slope must be a finite number >= 0 that float32 can hold \(0, or 1\.1754943508222875e-38 to 3\.4028234663852886e\+38\), got '1e-40'/],
    [['--lr', '1e-40'], /--lr must be a finite number > 0 that float32 can hold \(1\.1754943508222875e-38 to 3\.4028234663852886e\+38\), got '1e-40'/],
    [['--initial-slope', 'x'], /--initial-slope must be a finite number >= 0, got 'x'/],
    [['--train-size', '70000'], /--train-size must be an integer from 1 to 60000, got '70000'/],
    [['--activation', 'relux'], /unknown activation 'relux'. Valid names: arelu, relu/],
    [['--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu, got 'gpu'/],
    [['--epoch', '3'], /Unknown option '--epoch'.*see --help/],
    [['stray'], /Unexpected argument 'stray'.*see --help/],
  ])('rejects %j with a message naming the flag', async (argv, message) => {
    await expect(mnistMain(argv, capture().stream)).rejects.toThrow(message);
  });
});
