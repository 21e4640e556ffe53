import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationSheetSpec, computeActivationSheet, grid } from '../../src/bench/activation_sheet.js';
import { renderSvg } from '../../src/bench/plots.js';
import { expectClose } from '../helpers/numeric.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('grid', () => {
  it('spans lo..hi with 0 on the default grid', () => {
    expect(grid(-5, 5, 11)).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]);
    const g = grid(-5, 5, 201);
    expect(g[100]).toBe(0);
    expect(g[1]).toBeCloseTo(-4.95, 12);
  });

  it('rejects bad arguments, naming them', () => {
    expect(() => grid(-5, 5, 1)).toThrow('grid: points must be an integer >= 2, got 1.');
    expect(() => grid(5, -5, 11)).toThrow('grid: need finite lo < hi, got lo 5, hi -5.');
  });
});

describe('computeActivationSheet', () => {
  // -3.5, -3, ..., 3.5: both sides of the kink at 0, and 0 itself; expectations use the float32 x the layer sees.
  const opts = { names: ['relu', 'arelu'], points: 15, lo: -3.5, hi: 3.5 };

  it('gives relu f = max(0, x) and f\' = 0 / 1 off the kink', () => {
    const sheet = computeActivationSheet({ ...opts, names: ['relu'] });
    const relu = sheet.curves[0];
    expect(relu.name).toBe('relu');
    expect(relu.x).toEqual(grid(-3.5, 3.5, 15));
    expectClose(relu.f, relu.x.map((x) => Math.max(0, Math.fround(x))), 1e-7);
    relu.x.forEach((x, i) => {
      if (x !== 0) expect(relu.df[i], `f'(${x})`).toBe(x > 0 ? 1 : 0);
    });
  });

  it('gives arelu f = x for x > 0, 0.1 x otherwise (default slope) and f\' = 1 / 0.1', () => {
    const sheet = computeActivationSheet(opts);
    const arelu = sheet.curves.find((c) => c.name === 'arelu')!;
    const slope = 0.1;
    expectClose(arelu.f, arelu.x.map((x) => (x > 0 ? Math.fround(x) : slope * Math.fround(x))), 1e-6, 1e-6);
    expect(arelu.f[7]).toBe(0); // x = 0
    arelu.x.forEach((x, i) => {
      if (x !== 0) expect(arelu.df[i]).toBeCloseTo(x > 0 ? 1 : slope, 6);
    });
  });

  it('lists an activation it cannot draw in skipped, with the reason, and leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const sheet = computeActivationSheet({ names: ['relu', 'no-such-activation', 'prelu'], points: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(sheet.curves.map((c) => c.name)).toEqual(['relu', 'prelu']);
    expect(sheet.skipped).toHaveLength(1);
    expect(sheet.skipped[0].name).toBe('no-such-activation');
    expect(sheet.skipped[0].reason).toMatch(/^Unknown activation .no-such-activation./);
  });

  it('draws every registered element-wise activation on a coarse grid, one panel each', async () => {
    const sheet = computeActivationSheet({ points: 21 });
    // Maxout maps a group of units to one: it is the only registered activation with no f(x).
    expect(sheet.skipped).toEqual([{ name: 'maxout', reason: expect.stringMatching(/^not element-wise: Maxout maps shape \[, 4\] to \[, 2\]/) }]);
    const svg = await renderSvg(activationSheetSpec(sheet));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const c of sheet.curves) expect(svg).toContain(`>${c.name}</text>`);
  });
});
