/**
 * The benchmark's stress protocol (`--stress`): the reference protocol with a setting known to
 * kill ReLU units, so that "AReLU mitigates dying" is tested where units actually die.
 * See docs/dead-units.md for the measurements behind the choice.
 */
export const STRESS = {
  /** Initial value of the hidden Dense biases. */
  hiddenBias: -0.5,
  /** Adamax learning rate (unless --lr is given). */
  lr: 0.01,
  description: 'Adamax lr 0.01 (10x) and hidden Dense biases starting at -0.5: kills about half of the ReLU units in the first epoch (docs/dead-units.md)',
} as const;
