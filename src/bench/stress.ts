/**
 * The benchmark's stress protocol (`--stress`): the reference protocol with a setting known to
 * kill ReLU units, so that "AReLU mitigates dying" is tested where units actually die.
 * See docs/dead-units.md for the measurements behind the choice.
 */
export const STRESS = {
  /** Initial value of the hidden Dense biases. */
  hiddenBias: -1,
  /** Adamax learning rate (unless --lr is given). */
  lr: 0.001,
  description: 'hidden Dense biases start at -1 (instead of 0), which kills a large share of ReLU units at once',
} as const;
