/**
 * tfjs-activations: activation layers for TensorFlow.js.
 *
 * Importing this module registers every layer class with `tf.serialization`, so that
 * `tf.loadLayersModel` can restore saved models that use them.
 */
export { AReLU, arelu, DEFAULT_INITIAL_SLOPE, type AReLUArgs } from './layers/arelu.js';
export {
  AttentionAReLU,
  attentionArelu,
  ATTENTION_ARELU_ALPHA_MAX,
  ATTENTION_ARELU_ALPHA_MIN,
  DEFAULT_ATTENTION_ARELU_ALPHA,
  DEFAULT_ATTENTION_ARELU_BETA,
  type AttentionAReLUArgs,
} from './layers/attention_arelu.js';
export {
  SReLU,
  srelu,
  DEFAULT_SRELU_A_LEFT,
  DEFAULT_SRELU_A_RIGHT,
  DEFAULT_SRELU_T_LEFT,
  DEFAULT_SRELU_T_RIGHT,
  type SReLUArgs,
} from './layers/srelu.js';
export {
  APL,
  apl,
  DEFAULT_APL_B_STDDEV,
  DEFAULT_APL_HINGES,
  MAX_APL_HINGES,
  type APLArgs,
} from './layers/apl.js';
export { AconC, aconC, type AconCArgs } from './layers/acon_c.js';
export {
  PAU,
  pau,
  DEFAULT_PAU_DENOMINATOR,
  DEFAULT_PAU_NUMERATOR,
  MAX_PAU_COEFFICIENTS,
  type PAUArgs,
} from './layers/pau.js';
export {
  Maxout,
  maxout,
  DEFAULT_MAXOUT_PIECES,
  MAX_MAXOUT_PIECES,
  type MaxoutArgs,
} from './layers/maxout.js';
export type { LayerArgs, InitializerArg, RegularizerArg, SerializedObject } from './layers/common.js';
export {
  AdaptiveTanh,
  adaptiveTanh,
  ADAPTIVE_TANH_FORMS,
  DEFAULT_JAGTAP_SCALE,
  type AdaptiveTanhArgs,
  type AdaptiveTanhForm,
} from './layers/adaptive_tanh.js';
export { AlphaELU, alphaELU, DEFAULT_ELU_ALPHA, type AlphaELUArgs } from './layers/alpha_elu.js';
export { CELU, celu, DEFAULT_CELU_ALPHA, type CELUArgs } from './layers/celu.js';
export { MSAF, msaf, DEFAULT_MSAF_OFFSET, DEFAULT_MSAF_SHIFTS, type MSAFArgs } from './layers/msaf.js';
export {
  SymmetricalMSAF,
  symmetricalMSAF,
  DEFAULT_SYMMETRICAL_MSAF_A,
  type SymmetricalMSAFArgs,
} from './layers/msaf_symmetric.js';
export { PELU, pelu, DEFAULT_PELU_INITIAL, PELU_MIN_PARAMETER, type PELUArgs } from './layers/pelu.js';
export { RReLU, rrelu, DEFAULT_RRELU_LOWER, DEFAULT_RRELU_UPPER, type RReLUArgs } from './layers/rrelu.js';
export { Snake, snake, DEFAULT_SNAKE_A, SNAKE_MIN_ABS_A, type SnakeArgs } from './layers/snake.js';
export { SwishBeta, swishBeta, DEFAULT_SWISH_INITIAL_BETA, type SwishBetaArgs } from './layers/swish_beta.js';
export { TLU, tlu, DEFAULT_TLU_INITIAL_TAU, type TLUArgs } from './layers/tlu.js';
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
export { isWasmSimdActive, setWasmSimdKernelsEnabled } from './kernels/simd/instance.js';
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
