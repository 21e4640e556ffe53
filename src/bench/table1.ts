/** One activation of the paper's Table I, with the registry name that implements it. */
export interface Table1Entry {
  /** Registry name (see `activationNames()`). */
  readonly name: string;
  /** The activation's name as printed in the paper's Table I. */
  readonly paperLabel: string;
  /** Test misclassification rate on MNIST in percent, as printed in the paper. */
  readonly paperMisclassificationRate: number;
}

/**
 * Table I of I. A. Atoum, "Adaptive Rectified Linear Unit (AReLU) for Classification Problems to
 * Solve Dying Problem in Deep Learning", IJACSA 14(2), 2023: MNIST test misclassification rates in
 * percent. All rows but AReLU's are quoted by the paper from Lau & Lim (2018), whose networks and
 * training differ from the paper's own MLP protocol, so they are a reference point, not a
 * like-for-like result. AReLU's 1.2 is the paper's own measurement. AReLU comes first; the other
 * rows keep the paper's order. The benchmark's `--activations table1` runs exactly these names.
 */
export const TABLE1: readonly Table1Entry[] = [
  { name: 'arelu', paperLabel: 'AReLU', paperMisclassificationRate: 1.2 },
  { name: 'sigmoid', paperLabel: 'Sigmoid', paperMisclassificationRate: 7.01 },
  { name: 'tanh', paperLabel: 'Hyperbolic Tangent', paperMisclassificationRate: 1.86 },
  { name: 'msaf', paperLabel: 'MSAF', paperMisclassificationRate: 12.59 },
  { name: 'msaf-symmetric', paperLabel: 'MSAF_Symmetrical', paperMisclassificationRate: 11.28 },
  { name: 'relu', paperLabel: 'ReLU', paperMisclassificationRate: 2.08 },
  { name: 'leaky-relu', paperLabel: 'LReLU', paperMisclassificationRate: 1.68 },
  { name: 'prelu', paperLabel: 'PReLU', paperMisclassificationRate: 1.6 },
  { name: 'elu', paperLabel: 'ELU', paperMisclassificationRate: 1.88 },
  { name: 'adaptive-tanh', paperLabel: 'Adaptive tanh', paperMisclassificationRate: 2.93 },
];

/** The Table I row for the registry name `name`, or undefined when the paper has none. */
export function table1Entry(name: string): Table1Entry | undefined {
  return TABLE1.find((e) => e.name === name);
}
