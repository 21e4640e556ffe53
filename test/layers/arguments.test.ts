/**
 * Constructor arguments of every layer class of the library, tried automatically (fast-check):
 * each numeric, boolean, option and array argument with values of every kind (NaN, +-Infinity,
 * -0, numbers on and beyond each bound, strings, null, booleans, arrays, objects). A valid value
 * is taken and kept in getConfig(); any other gives an error naming the class, the argument and
 * the value. Random unknown argument names are reported, and so are args that are not an object
 * and tfjs LayerArgs of the wrong type. The per-layer test files check hand-picked messages.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { describe as shown } from '../../src/layers/common.js';

type Factory = (args?: never) => tf.layers.Layer;
interface ArgCase {
  arg: string;
  valid: (v: unknown) => boolean;
  /** Other arguments the value is given with. */
  with?: Record<string, unknown>;
}
interface LayerCase {
  cls: string;
  make: Factory;
  args: ArgCase[];
}

/**
 * A number that float32 holds: finite there (beyond about 3.4e38 it would be Infinity), and 0 or
 * at least 2^-126 in magnitude (smaller ones become subnormal or 0). Every parameter is float32.
 */
const finite = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(Math.fround(v)) && (v === 0 || Math.abs(Math.fround(v)) >= 2 ** -126);
/** What getConfig() keeps of a valid value: -0 is stored as 0. */
const canonical = (v: unknown): unknown => (Array.isArray(v) ? v.map(canonical) : v === 0 ? 0 : v);
const int = (lo: number, hi: number) => (v: unknown) => finite(v) && Number.isInteger(v) && v >= lo && v <= hi;
const bool = (v: unknown) => typeof v === 'boolean';
const perUnit: ArgCase = { arg: 'perUnit', valid: bool };
const initializer = (arg: string): ArgCase => ({ arg, valid: () => false });

const LAYERS: LayerCase[] = [
  { cls: 'AReLU', make: lib.arelu as Factory, args: [{ arg: 'initialSlope', valid: (v) => finite(v) && v >= 0 }] },
  {
    cls: 'AttentionAReLU',
    make: lib.attentionArelu as Factory,
    args: [
      { arg: 'initialAlpha', valid: (v) => finite(v) && v >= 0.01 && v <= 0.99 },
      { arg: 'initialBeta', valid: finite },
    ],
  },
  { cls: 'SReLU', make: lib.srelu as Factory, args: [perUnit, initializer('tLeftInitializer'), initializer('aRightInitializer')] },
  { cls: 'APL', make: lib.apl as Factory, args: [{ arg: 'hinges', valid: int(1, 64) }, perUnit, initializer('aInitializer')] },
  { cls: 'AconC', make: lib.aconC as Factory, args: [perUnit, initializer('betaInitializer')] },
  {
    cls: 'PAU',
    make: lib.pau as Factory,
    args: ['initialNumerator', 'initialDenominator'].map((arg) => ({
      arg,
      valid: (v: unknown) => Array.isArray(v) && v.length >= 1 && v.length <= 16 && v.every(finite),
    })),
  },
  { cls: 'Maxout', make: lib.maxout as Factory, args: [{ arg: 'pieces', valid: int(1, 1024) }] },
  {
    cls: 'MSAF',
    make: lib.msaf as Factory,
    args: [
      { arg: 'a', valid: finite },
      {
        arg: 'b',
        // Increasing as float32 too (1 and 1 + 1e-12 are one float32).
        valid: (v) => Array.isArray(v) && v.length > 0 && v.every((bk, k) => finite(bk) && bk >= 0 && (k === 0 || Math.fround(bk) > Math.fround(v[k - 1]))),
      },
    ],
  },
  { cls: 'SymmetricalMSAF', make: lib.symmetricalMSAF as Factory, args: [{ arg: 'a', valid: (v) => finite(v) && v < 0 }] },
  {
    cls: 'AdaptiveTanh',
    make: lib.adaptiveTanh as Factory,
    args: [
      { arg: 'form', valid: (v) => v === 'scaled' || v === 'jagtap' },
      { arg: 'scale', valid: (v) => v === null || (finite(v) && v >= 1), with: { form: 'jagtap' } },
      perUnit,
    ],
  },
  { cls: 'AlphaELU', make: lib.alphaELU as Factory, args: [{ arg: 'alpha', valid: (v) => finite(v) && v > 0 }] },
  { cls: 'CELU', make: lib.celu as Factory, args: [{ arg: 'alpha', valid: (v) => finite(v) && v > 0 && v <= 2 ** 126 }] },
  { cls: 'TLU', make: lib.tlu as Factory, args: [{ arg: 'initialTau', valid: finite }, perUnit] },
  { cls: 'SwishBeta', make: lib.swishBeta as Factory, args: [{ arg: 'initialBeta', valid: finite }, perUnit] },
  {
    cls: 'Snake',
    make: lib.snake as Factory,
    args: [{ arg: 'a', valid: (v) => finite(v) && v !== 0 }, { arg: 'learnable', valid: bool }, perUnit],
  },
  {
    cls: 'PELU',
    make: lib.pelu as Factory,
    args: [
      { arg: 'initialA', valid: (v) => finite(v) && v >= 0.1 },
      { arg: 'initialB', valid: (v) => finite(v) && v >= 0.1 },
    ],
  },
  {
    cls: 'RReLU',
    make: lib.rrelu as Factory,
    args: [
      { arg: 'lower', valid: (v) => finite(v) && v >= 1 },
      { arg: 'upper', valid: (v) => finite(v) && v >= 3 },
      { arg: 'seed', valid: (v) => v === null || (finite(v) && Number.isInteger(v) && v >= 0 && v <= 2 ** 32 - 1) },
    ],
  },
];

/** Values of every kind, with many around the bounds the layers use. */
const scalar = fc.oneof(
  fc.double(),
  fc.double({ min: -3, max: 3 }),
  fc.integer({ min: -3, max: 1100 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 0.01, 0.0099, 0.99, 0.991, 0.1, 0.0999, 1, 0.999, 3, 64, 65, 1024, 1025),
  fc.constantFrom(null, true, false, '', '1', 'scaled', 'jagtap', 'Scaled', [], [1], {}, { value: 1 }),
  fc.string({ maxLength: 5 }),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.array(fc.double({ min: 0, max: 30 }), { minLength: 1, maxLength: 18 }));

describe.each(LAYERS)('$cls arguments', ({ cls, make, args }) => {
  it.each(args)('$arg: takes the valid values and names the invalid ones', ({ arg, valid, with: others = {} }) => {
    fc.assert(
      fc.property(value, (v) => {
        const attempt = () => make({ ...others, [arg]: v } as never);
        if (valid(v)) {
          const config = attempt().getConfig();
          if (v !== null) expect(config[arg]).toEqual(canonical(v));
        } else {
          expect(attempt).toThrow(new RegExp(`^${cls}: ${arg}(\\[\\d+\\])? must be .*, got `));
          expect(attempt).toThrow(v !== null && typeof v === 'object' ? cls : shown(v));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reports any argument name it does not know', () => {
    const known = new Set([
      ...args.map((a) => a.arg),
      ...Object.keys(make().getConfig()),
      'inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType', 'customObjects',
    ]);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k)), (key) => {
        expect(() => make({ [key]: 1 } as never)).toThrow(`${cls}: unknown argument '${key}'`);
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    [null, /args must be an object, got null/],
    [5, /args must be an object, got 5/],
    ['x', /args must be an object, got "x"/],
    [[1], /args must be an object, got \[1\]/],
    [{ name: 5 }, /name must be a string, got 5/],
    [{ trainable: 'yes' }, /trainable must be true or false, got "yes"/],
    [{ inputShape: 'abc' }, /inputShape must be an array of integers >= 0 or null .* got "abc"/],
    [{ inputShape: [6.5] }, /inputShape must be an array .* got \[6.5\]/],
    [{ batchInputShape: [null, -1] }, /batchInputShape must be an array .* got \[null, -1\]/],
    [{ batchSize: 0 }, /batchSize must be a finite integer >= 1, got 0/],
    [{ dtype: 'int32' }, /dtype must be 'float32' \(the layer computes in float32\), got "int32"/],
  ])('rejects the layer arguments %o', (args, message) => {
    expect(() => make(args as never)).toThrow(new RegExp(`${cls}: ${message.source}`));
  });

  it('takes the tfjs layer arguments of the right type', () => {
    const layer = make({ name: `my_${cls}`, trainable: false, inputShape: [6], batchSize: 2, dtype: 'float32' } as never);
    expect(layer.name).toBe(`my_${cls}`);
    expect(layer.trainable).toBe(false);
    expect(layer.batchInputShape).toEqual([2, 6]);
  });
});

describe('AReLU.setSlope', () => {
  it('takes every finite number >= 0 and keeps the slope on anything else', () => {
    const layer = lib.arelu({ initialSlope: 0.2 });
    layer.build([null, 2]);
    fc.assert(
      fc.property(value, (v) => {
        const before = layer.getSlope();
        if (finite(v) && v >= 0) {
          layer.setSlope(v);
          expect(layer.getSlope()).toBe(Math.fround(v) + 0); // -0 is stored as 0
        } else {
          expect(() => layer.setSlope(v as number)).toThrow(/^AReLU: slope must be a finite number >= 0( that float32 can hold .*)?, got /);
          expect(layer.getSlope()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  });
});
