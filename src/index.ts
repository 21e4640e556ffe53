/**
 * tfjs-activations: activation layers for TensorFlow.js.
 *
 * Importing this module registers every layer class with `tf.serialization`, so that
 * `tf.loadLayersModel` can restore saved models that use them.
 */
export { AReLU, arelu, DEFAULT_INITIAL_SLOPE, type AReLUArgs } from './layers/arelu.js';
export type { LayerArgs } from './layers/common.js';
export {
  LossAdaptiveSlope,
  lossAdaptiveSlope,
  findAReLULayers,
  type LossAdaptiveSlopeArgs,
} from './callbacks/loss_adaptive_slope.js';
export {
  activationEntry,
  activationNames,
  createActivation,
  registerActivation,
  type ActivationArgs,
  type ActivationEntry,
} from './registry.js';
export {
  deadUnitFractions,
  findActivationSites,
  activationLayerClassNames,
  registerActivationLayerClass,
  meanFraction,
  DeadUnitProbe,
  DEFAULT_PROBE_BATCH_SIZE,
  type ActivationSite,
  type ActivationSiteKind,
  type DeadUnitFractions,
  type DeadUnitOptions,
} from './diagnostics/dead_units.js';
export {
  DeadUnitMonitor,
  deadUnitMonitor,
  DEAD_FRACTION_KEY,
  type DeadUnitMonitorArgs,
  type DeadUnitRecord,
} from './callbacks/dead_unit_monitor.js';
