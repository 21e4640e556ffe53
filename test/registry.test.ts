import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationNames, createActivation, registerActivation } from '../src/index.js';
import { useBackend } from './helpers/backends.js';
import { leakedTensors } from './helpers/numeric.js';

beforeAll(() => useBackend('cpu'));

describe("the registry's arguments for tfjs' own layers", () => {
  it.each([
    ['leaky-relu', { alfa: 0.2 }, /LeakyReLU: unknown argument 'alfa'. Allowed: alpha, inputShape/],
    ['leaky-relu', { alpha: Number.NaN }, /LeakyReLU: alpha must be a finite number >= 0, got NaN/],
    ['leaky-relu', { alpha: -0.1 }, /LeakyReLU: alpha must be a finite number >= 0, got -0.1/],
    ['leaky-relu', { alpha: '0.1' }, /LeakyReLU: alpha must be a finite number >= 0, got "0.1"/],
    ['leaky-relu', { alpha: null }, /LeakyReLU: alpha must be a finite number >= 0, got null/],
    ['relu', { maxValue: 0 }, /ReLU: maxValue must be a finite number > 0, got 0/],
    ['relu', { maxValue: Infinity }, /ReLU: maxValue must be a finite number > 0, got Infinity/],
    ['relu', { max: 6 }, /ReLU: unknown argument 'max'/],
    ['elu', { alpha: 0.5 }, /ELU: alpha must be 1 .*'elu-alpha' takes any alpha > 0\), got 0.5/],
    ['prelu', { alphaInitialiser: 'zeros' }, /PReLU: unknown argument 'alphaInitialiser'/],
    ['sigmoid', { activation: 'relu' }, /Activation: unknown argument 'activation'/],
    ['gelu', { approximate: true }, /Activation: unknown argument 'approximate'/],
  ])('%s rejects %o', (name, args, message) => {
    expect(() => createActivation(name, args)).toThrow(message);
  });

  it('passes valid arguments on', () => {
    expect(createActivation('leaky-relu', { alpha: 0.2 }).getConfig().alpha).toBe(0.2);
    expect(createActivation('leaky-relu').getConfig().alpha).toBe(0.01);
    expect(createActivation('relu', { maxValue: 6, name: 'capped' }).getConfig()).toMatchObject({ maxValue: 6, name: 'capped' });
    expect(createActivation('relu', { maxValue: null }).getConfig().maxValue).toBeNull();
    expect(createActivation('elu', { alpha: 1 }).getClassName()).toBe('ELU');
  });

  it.each(['relu', 'leaky-relu', 'prelu', 'elu', 'selu', 'relu6'])(
    "%s keeps tfjs' class and leaves no tensor behind when it casts an int32 input",
    (name) => {
      const layer = createActivation(name);
      expect(Object.getPrototypeOf(layer).constructor).toBe(tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()][0]);
      const x = tf.tensor2d([[-2, 0, 3]], undefined, 'int32');
      (layer.apply(x) as tf.Tensor).dispose();
      expect(leakedTensors(() => (layer.apply(x) as tf.Tensor).dispose())).toBe(0);
    },
  );
});

describe('registerActivation and createActivation', () => {
  it.each([
    [null, /entry must be an object \{name, summary, learnable, create\}, got null/],
    [{ name: 'My_Act', summary: 's', learnable: false, create: () => tf.layers.reLU() }, /name must be lowercase kebab-case .* got "My_Act"/],
    [{ name: 3, summary: 's', learnable: false, create: () => tf.layers.reLU() }, /name must be lowercase kebab-case .* got 3/],
    [{ name: 'relu', summary: 's', learnable: false, create: () => tf.layers.reLU() }, /'relu' is already registered/],
    [{ name: 'no-create', summary: 's', learnable: false }, /'no-create' needs summary \(a string\), learnable \(a boolean\) and create \(a function\), .* create undefined/],
    [{ name: 'bad-learnable', summary: 's', learnable: 'yes', create: () => tf.layers.reLU() }, /learnable "yes"/],
  ])('rejects the entry %o', (entry, message) => {
    expect(() => registerActivation(entry as never)).toThrow(message);
    expect(activationNames()).not.toContain('no-create');
  });

  it('names the activation whose factory returns something other than a layer', () => {
    registerActivation({ name: 'not-a-layer', summary: 'returns a string', learnable: false, create: () => 'oops' as never });
    expect(() => createActivation('not-a-layer')).toThrow(/factory registered for 'not-a-layer' returned "oops", not a tfjs layer/);
  });

  it('lists the valid names for an unknown or non-string name', () => {
    expect(() => createActivation('reul')).toThrow(/Unknown activation "reul". Valid names: arelu, relu,/);
    expect(() => createActivation(5 as never)).toThrow(/Unknown activation 5. Valid names:/);
  });
});

describe('createActivation with options set to undefined', () => {
  it("keeps the registry's defaults (LReLU 0.01, PReLU 0.25), not tfjs' (0.3, 0)", () => {
    const x = tf.tensor2d([[-2, -1, 1, 2]]);
    const leaky = createActivation('leaky-relu', { alpha: undefined });
    expect(Array.from((leaky.apply(x) as tf.Tensor).dataSync())).toEqual([-0.02, -0.01, 1, 2].map(Math.fround));
    const prelu = createActivation('prelu', { alphaInitializer: undefined });
    expect(Array.from((prelu.apply(x) as tf.Tensor).dataSync())).toEqual([-0.5, -0.25, 1, 2]);
  });
});
