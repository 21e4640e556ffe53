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
export { optimizeWasmMatMul, isWasmMatMulOptimized } from './kernels/wasm_matmul.js';
