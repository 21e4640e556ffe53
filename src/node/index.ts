/**
 * tfjs-activations/node: Node-only helpers — IDX files and MNIST, backend choice, result files,
 * console progress, and the reference experiment's training routine.
 */
export { readIdx, parseIdx, type IdxArray, type IdxData, type IdxDType } from './idx.js';
export { loadMnist, defaultMnistDir, MNIST_FILES, type LoadMnistOptions, type MnistSplit } from './mnist.js';
export { selectBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './backend.js';
export { writeFileAtomic, writeJsonAtomic, appendJsonLine } from './files.js';
export { machineInfo, versionInfo } from './environment.js';
export { consoleProgress, formatEpoch } from './progress.js';
export { buildReferenceMLP, type ReferenceMLPOptions } from '../experiment/reference_mlp.js';
export { trainClassifier, type TrainOptions, type TrainHooks, type TrainResult, type LabelledImages } from '../experiment/train.js';
export { evaluateClassifier } from '../experiment/evaluate.js';
export { runExperiment, type RunEnvironment, type ExperimentData } from '../experiment/run.js';
export type { RunRecord, RunConfig, EpochRecord, TestRecord } from '../experiment/record.js';
export { epochPermutation } from '../experiment/shuffle.js';
