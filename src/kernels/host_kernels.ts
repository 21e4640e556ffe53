/**
 * Element-wise activation kernels written as plain JavaScript loops over the tensors' memory, for
 * the two tfjs backends whose tensors live in memory JavaScript can address: `cpu` (typed arrays)
 * and `wasm` (the WebAssembly heap).
 *
 * Why: an activation built from tfjs ops runs one kernel per op, each a full pass over the tensor
 * with its own dispatch; its gradient adds several more (tfjs' PReLU gradient alone is Greater,
 * two Selects, two Multiplies and a Sum). On the cpu backend every such kernel costs 1-2 ms per
 * [128, 512] tensor (generic broadcasting loops), against about 0.15 ms for one specialised loop
 * here; on the wasm backend some of them (Greater, Select, LeakyRelu, scalar PReLU, Sin, Tanh,
 * Maximum) are slow scalar loops too. A kernel here computes a layer's forward pass in one loop
 * and its whole backward pass (input gradient and parameter gradients, summed per unit) in
 * another, and is registered under its own name with tfjs' kernel and gradient registries, so
 * that tfjs' engine (tape, memory accounting, tf.profile) treats it like any built-in kernel.
 *
 * On wasm, a kernel may also have a `simd` form: calls of the library's own WebAssembly SIMD
 * kernels (simd/), which work on the same heap four floats at a time and replace the JavaScript
 * loop (or a chain of the backend's kernels) where the runtime can run them.
 *
 * Other backends (webgl, webgpu, tensorflow) have no such kernel: layers check
 * {@link hasHostKernel} and fall back to their composition of tfjs ops, which computes the same
 * function.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsFor, type SimdKernels } from './simd/instance.js';
import { isWasmBackendLike, type WasmBackendLike } from './wasm_backend_access.js';

/** The backends that get the JavaScript kernels. */
export const HOST_BACKENDS = ['cpu', 'wasm'] as const;

/** Float32 views of a kernel's inputs (in the order of {@link HostKernel.inputs}) and outputs. */
export interface HostKernelArgs {
  inputs: Float32Array[];
  outputs: Float32Array[];
  /** Shapes of the inputs, in the same order. */
  shapes: number[][];
  attrs: tf.NamedAttrMap;
}

/**
 * What a kernel's SIMD form receives on the wasm backend: the byte offsets of its float32 inputs
 * and (uninitialised) outputs on the backend's heap, and the module's exported kernels.
 */
export interface SimdKernelArgs {
  kernels: SimdKernels;
  inputs: number[];
  /** Byte offsets of the outputs, allocated on first access (a kernel may decline before it). */
  readonly outputs: number[];
  /** Shapes of the inputs, in the order of {@link HostKernel.inputs}. */
  shapes: number[][];
  attrs: tf.NamedAttrMap;
  /** A view of input `index`'s values (for scalar parameters); invalid after {@link SimdKernelArgs.scratch}. */
  values(index: number): Float32Array;
  /**
   * Byte offset of a temporary float32 array on the heap holding a copy of `values` (or `values`
   * zeros; for float64 sums, twice their count), freed when the kernel returns.
   */
  scratch(values: ArrayLike<number> | number): number;
  /** The heap (for views of outputs and scratch arrays); invalid after the next `scratch`. */
  buffer(): ArrayBuffer;
  /**
   * A copy of `count` float64 values at byte offset `at` of the heap (a scratch array the kernel
   * filled with float64 sums); a copy, so that no 8-byte alignment is needed.
   */
  float64s(at: number, count: number): Float64Array;
}

/** A kernel computed by a JavaScript loop; see the module comment. */
export interface HostKernel {
  /** Kernel name, unique among tfjs kernels (prefix `TfjsActivations`). */
  name: string;
  /** Names of the float32 inputs, in the order `compute` receives them. */
  inputs: readonly string[];
  /** Shapes of the outputs (all float32) from the shapes of the inputs. */
  outputShapes: (shapes: number[][], attrs: tf.NamedAttrMap) => number[][];
  /** Fills `outputs` (every element; they start uninitialised on wasm) from `inputs`. */
  compute: (args: HostKernelArgs) => void;
  /**
   * The backends to register it for. Default both; `['cpu']` for kernels built on Math.exp and
   * the like, which on wasm are slower than its vectorised Sigmoid, Elu and Exp kernels.
   */
  backends?: ReadonlyArray<(typeof HOST_BACKENDS)[number]>;
  /**
   * On wasm, a replacement for `compute` built from the backend's own vectorised kernels (see
   * {@link wasmSignScale}, {@link WasmChain}); it receives the checked inputs in the order of
   * `inputs` and may return null to leave the case to `compute`.
   */
  wasm?: (inputs: tf.TensorInfo[], backend: WasmBackendLike, attrs: tf.NamedAttrMap) => tf.TensorInfo | null;
  /**
   * On wasm, the kernel as calls of the library's WebAssembly SIMD kernels (simd/wat_*.ts),
   * used instead of `wasm` and `compute` when the runtime has them (simd/instance.ts). Returns
   * false to leave the case (e.g. an attribute value the module has no kernel for) to them.
   */
  simd?: (args: SimdKernelArgs) => void | false;
  /**
   * On wasm, use this kernel only in its SIMD form: without it, {@link hasHostKernel} says no and
   * the layer runs its tfjs ops (for kernels whose JavaScript loop is slower than the backend's
   * vectorised kernels).
   */
  wasmNeedsSimd?: boolean;
}

/** The parts of tfjs-backend-cpu's `MathBackendCPU` used here. */
interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function isCpu(backend: unknown): backend is CpuBackendLike {
  const b = backend as Partial<CpuBackendLike> | null;
  return b != null && typeof b.makeTensorInfo === 'function' && typeof b.data?.get === 'function';
}

function checkInputs(kernel: HostKernel, infos: tf.TensorInfo[]): void {
  infos.forEach((t, i) => {
    if (t == null) throw new Error(`${kernel.name}: input '${kernel.inputs[i]}' is missing.`);
    if (t.dtype !== 'float32') {
      throw new Error(`${kernel.name}: input '${kernel.inputs[i]}' must be float32, got ${t.dtype}.`);
    }
  });
}

function kernelFunc(kernel: HostKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs = {} }) => {
    const infos = kernel.inputs.map((name) => inputs[name] as tf.TensorInfo);
    checkInputs(kernel, infos);
    const shapes = infos.map((t) => t.shape);
    const outShapes = kernel.outputShapes(shapes, attrs);
    if (isWasmBackendLike(backend)) {
      const simd = kernel.simd === undefined ? null : simdKernelsFor(backend);
      const done = simd === null ? null : runSimd(kernel, simd, infos, outShapes, backend, attrs);
      if (done !== null) return done;
      const replaced = kernel.wasm?.(infos, backend, attrs) ?? null;
      if (replaced !== null) return replaced;
      const outs = outShapes.map((s) => backend.makeOutput(s, 'float32'));
      // Views only after the last allocation: an allocation may grow (and move) the heap.
      kernel.compute({
        inputs: infos.map((t) => backend.typedArrayFromHeap(t) as Float32Array),
        outputs: outs.map((t) => backend.typedArrayFromHeap(t) as Float32Array),
        shapes,
        attrs,
      });
      return outs.length === 1 ? outs[0] : outs;
    }
    if (isCpu(backend)) {
      const values = infos.map((t) => {
        const v = backend.data.get(t.dataId)?.values;
        if (v instanceof Float32Array) return v;
        // tfjs' cpu Cast shares an int32 or bool tensor's data when it casts it to float32.
        if (v instanceof Int32Array || v instanceof Uint8Array) return Float32Array.from(v);
        throw new Error(`${kernel.name}: cannot read the values of a cpu tensor.`);
      });
      const outValues = outShapes.map((s) => new Float32Array(tf.util.sizeFromShape(s)));
      kernel.compute({ inputs: values, outputs: outValues, shapes, attrs });
      const outs = outShapes.map((s, k) => backend.makeTensorInfo(s, 'float32', outValues[k]));
      return outs.length === 1 ? outs[0] : outs;
    }
    throw new Error(`${kernel.name}: unsupported backend object (expected tfjs' cpu or wasm backend).`);
  };
}

/**
 * Byte offset of a tensor's data on the wasm heap: the backend's own record (tfjs-backend-wasm's
 * `dataIdMap`, as its kernels read it) when present, else through a typed-array view (slower: it
 * allocates the view).
 */
function heapOffset(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const offset = (backend as { dataIdMap?: { get(id: tf.DataId): { memoryOffset?: unknown } | undefined } }).dataIdMap?.get(t.dataId)?.memoryOffset;
  return typeof offset === 'number' ? offset : backend.typedArrayFromHeap(t).byteOffset;
}

function runSimd(
  kernel: HostKernel,
  simd: SimdKernels,
  infos: tf.TensorInfo[],
  outShapes: number[][],
  backend: WasmBackendLike,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo | tf.TensorInfo[] | null {
  const offset = (t: tf.TensorInfo): number => heapOffset(backend, t);
  // Allocated on first use, so that a kernel that declines (returns false first) allocates nothing.
  const outs: tf.TensorInfo[] = [];
  const outputs = (): tf.TensorInfo[] => {
    if (outs.length === 0) outs.push(...outShapes.map((s) => backend.makeOutput(s, 'float32')));
    return outs;
  };
  const temps: tf.TensorInfo[] = [];
  try {
    const result = (kernel.simd as NonNullable<HostKernel['simd']>)({
      kernels: simd,
      inputs: infos.map(offset),
      get outputs() {
        return outputs().map(offset);
      },
      shapes: infos.map((t) => t.shape),
      attrs,
      values: (index) => backend.typedArrayFromHeap(infos[index]) as Float32Array,
      buffer: () => backend.typedArrayFromHeap(outputs()[0]).buffer as ArrayBuffer,
      float64s: (at, count) => new Float64Array(backend.typedArrayFromHeap(outputs()[0]).buffer.slice(at, at + 8 * count)),
      scratch: (values) => {
        // A copy first: `values` may be a view of the heap, which the allocation below can move.
        const copy = typeof values === 'number' ? null : Float32Array.from(values);
        const t = backend.makeOutput([copy === null ? (values as number) : copy.length], 'float32');
        temps.push(t);
        const view = backend.typedArrayFromHeap(t) as Float32Array;
        if (copy === null) view.fill(0);
        else view.set(copy);
        return view.byteOffset;
      },
    });
    if (result === false) {
      for (const t of outs) backend.disposeData(t.dataId);
      return null;
    }
  } catch (e) {
    for (const t of outs) backend.disposeData(t.dataId);
    throw e;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
  const done = outputs();
  simdRuns++;
  return done.length === 1 ? done[0] : done;
}

let simdRuns = 0;

/**
 * How many times one of the library's WebAssembly SIMD kernels has run in this process (for run
 * records: whether a run's layers used them).
 */
export function simdKernelRuns(): number {
  return simdRuns;
}

const kernels = new Map<string, HostKernel>();

/**
 * Registers `kernel` for the cpu and wasm backends, or those of `kernel.backends` (once: a second copy of this library loaded
 * in the same process finds it registered and leaves it).
 */
export function registerHostKernel(kernel: HostKernel): void {
  kernels.set(kernel.name, kernel);
  for (const backendName of kernel.backends ?? HOST_BACKENDS) {
    if (tf.getKernel(kernel.name, backendName) != null) continue;
    tf.registerKernel({ kernelName: kernel.name, backendName, kernelFunc: kernelFunc(kernel) });
  }
}

/**
 * Registers the gradient of the kernel `kernelName`, unless one is registered already.
 * @see tf.registerGradient
 */
export function registerHostGradient(config: tf.GradConfig): void {
  if (tf.getGradient(config.kernelName) != null) return;
  tf.registerGradient(config);
}

/**
 * Registers the gradient of the forward kernel `forward` as one run of the backward kernel
 * `backward`, which computes the gradients of all of the forward kernel's inputs in one loop:
 * its outputs are their gradients, in the order of the forward kernel's inputs. It receives `dy`
 * (the gradient of the first forward output), the forward inputs named in `savedInputs` (default:
 * all of them; tfjs keeps a copy of each saved tensor, a few microseconds per call), and the
 * forward outputs named in `savedOutputs` (index = output index, null = not needed).
 */
export function registerHostGradientKernel(
  forward: string,
  backward: string,
  savedOutputs: Array<string | null> = [],
  savedInputs?: readonly string[],
): void {
  const spec = kernels.get(forward);
  if (spec === undefined) throw new Error(`registerHostGradientKernel: kernel ${forward} is not registered here.`);
  const inputs = spec.inputs;
  const unknown = savedInputs?.find((name) => !inputs.includes(name));
  if (unknown !== undefined) throw new Error(`registerHostGradientKernel: ${forward} has no input '${unknown}'.`);
  const saved = savedInputs ?? inputs;
  const gradient: HostGradient = { inputs, savedInputs: saved, savedInputIndices: saved.map((name) => inputs.indexOf(name)), backward, savedOutputs };
  gradients.set(forward, gradient);
  registerHostGradient({
    kernelName: forward,
    inputsToSave: [...gradient.savedInputs],
    outputsToSave: savedOutputs.map((name) => name !== null),
    gradFunc: (dys, saved, attrs) => {
      const grads = runBackward(gradient, Array.isArray(dys) ? dys[0] : dys, saved, attrs);
      return Object.fromEntries(inputs.map((name, i) => [name, () => grads[i]]));
    },
  });
}

/** A forward kernel's gradient as {@link registerHostGradientKernel} registered it. */
interface HostGradient {
  /** The forward kernel's inputs (their gradients are the backward kernel's outputs, in this order). */
  inputs: readonly string[];
  /** The inputs the backward kernel receives. */
  savedInputs: readonly string[];
  /** Their positions among `inputs`. */
  savedInputIndices: readonly number[];
  backward: string;
  savedOutputs: Array<string | null>;
}

const gradients = new Map<string, HostGradient>();

/**
 * The gradients of the forward inputs, in their order: one run of the backward kernel on `dy` and
 * `saved` (the saved forward inputs, then the forward outputs asked for, in that order, as tfjs
 * saves them).
 */
function runBackward(gradient: HostGradient, dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap): tf.Tensor[] {
  const named: tf.NamedTensorMap = { dy };
  gradient.savedInputs.forEach((name, i) => (named[name] = saved[i]));
  let k = gradient.savedInputs.length;
  for (const name of gradient.savedOutputs) if (name !== null) named[name] = saved[k++];
  const out = runHostKernel(gradient.backward, named, attrs);
  return Array.isArray(out) ? out : [out];
}

/**
 * The first output of the forward kernel `name` (one with outputs saved for its gradient, such
 * as a sigmoid kept for the backward pass), with the gradient {@link registerHostGradientKernel}
 * registered, recorded as an op with that one output (tf.customGrad). Run directly, the kernel's
 * other outputs would be outputs of the op without a gradient, and for each of them tfjs makes a
 * tensor of zeros of the full size in JavaScript and copies it to the backend on every backward
 * pass (MSAF at [128, 512] on wasm: 14% of its CPU profile).
 * @throws Error when `name` has no gradient registered by registerHostGradientKernel.
 */
export function runHostKernelFirstOutput(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor {
  const gradient = gradients.get(name);
  if (gradient === undefined) throw new Error(`runHostKernelFirstOutput: kernel ${name} has no gradient registered here.`);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xs = args.slice(0, -1) as tf.Tensor[];
    const outs = runHostKernel(name, Object.fromEntries(gradient.inputs.map((n, i) => [n, xs[i]])), attrs) as tf.Tensor[];
    save([...gradient.savedInputIndices.map((i) => xs[i]), ...outs.filter((_, i) => gradient.savedOutputs[i] != null)]);
    return { value: outs[0], gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runBackward(gradient, dy, saved, attrs) };
  }) as (...xs: tf.Tensor[]) => tf.Tensor;
  return op(
    ...gradient.inputs.map((n) => {
      if (inputs[n] == null) throw new Error(`${name}: input '${n}' is missing.`);
      return inputs[n];
    }),
  );
}

/**
 * `v * (x > 0 ? 1 : alpha)` element-wise on the wasm backend, with two of its vectorised kernels
 * (Step with attribute alpha, then Multiply; about 0.05 ms per [128, 512] tensor against 0.15-0.2
 * ms for a JavaScript loop): a leaky ReLU of x when v = x, its gradient when v = dy. NaN in x
 * gives NaN (wasm's Step keeps NaN; the cpu loops take alpha there, as tf.prelu's gradient does,
 * so a gradient at a NaN input differs between the backends). x and v: float32 of the same shape.
 */
export function wasmSignScale(backend: WasmBackendLike, x: tf.TensorInfo, v: tf.TensorInfo, alpha: number): tf.TensorInfo {
  const step = tf.getKernel('Step', 'wasm');
  const multiply = tf.getKernel('Multiply', 'wasm');
  if (step == null || multiply == null) throw new Error('wasmSignScale: the wasm Step and Multiply kernels are not registered.');
  const s = step.kernelFunc({ inputs: { x }, backend, attrs: { alpha } }) as tf.TensorInfo;
  try {
    return multiply.kernelFunc({ inputs: { a: v, b: s }, backend, attrs: {} }) as tf.TensorInfo;
  } finally {
    backend.disposeData(s.dataId);
  }
}

/**
 * A chain of the wasm backend's own kernels inside one of these kernels: every intermediate
 * result is freed by {@link WasmChain.dispose} except those passed to {@link WasmChain.keep}.
 * Runs them without tfjs' per-op engine work (tape, tracking), as the backend's kernels call
 * each other.
 */
export class WasmChain {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(private readonly backend: WasmBackendLike) {}

  /** Runs the registered wasm kernel `name` (e.g. 'Sub', 'Relu', 'Multiply'). */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const config = tf.getKernel(name, 'wasm');
    if (config == null) throw new Error(`WasmChain: the wasm kernel ${name} is not registered.`);
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs }) as tf.TensorInfo;
    this.temps.push(out);
    return out;
  }

  /** A new float32 tensor of `shape` holding `values`. */
  tensor(values: ArrayLike<number>, shape: number[]): tf.TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    (this.backend.typedArrayFromHeap(out) as Float32Array).set(values);
    this.temps.push(out);
    return out;
  }

  /** Takes `info` out of the temporaries (it becomes the kernel's output) and returns it. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const i = this.temps.indexOf(info);
    if (i >= 0) this.temps.splice(i, 1);
    return info;
  }

  /** Frees every temporary not kept. */
  dispose(): void {
    for (const t of this.temps.splice(0)) this.backend.disposeData(t.dataId);
  }
}

/** Runs `f` with a {@link WasmChain} and frees its temporaries, also when `f` throws. */
export function withWasmChain(backend: WasmBackendLike, f: (chain: WasmChain) => tf.TensorInfo): tf.TensorInfo {
  const chain = new WasmChain(backend);
  try {
    return chain.keep(f(chain));
  } finally {
    chain.dispose();
  }
}

/** The first value of a float32 tensor on the wasm heap (a scalar parameter, read by a kernel). */
export function wasmScalar(backend: WasmBackendLike, t: tf.TensorInfo): number {
  return backend.typedArrayFromHeap(t)[0];
}

/**
 * Whether the current backend has the kernel `name` (false on backends other than cpu and wasm,
 * and on wasm for a kernel with `wasmNeedsSimd` when the SIMD kernels cannot be used there).
 */
export function hasHostKernel(name: string): boolean {
  if (!hostKernelsEnabled) return false;
  const backendName = tf.getBackend();
  if (tf.getKernel(name, backendName) == null) return false;
  if (backendName === 'wasm' && kernels.get(name)?.wasmNeedsSimd === true) return simdKernelsFor(tf.backend()) !== null;
  return true;
}

let hostKernelsEnabled = true;

/**
 * Turns the JavaScript kernels off (every layer then uses its composition of tfjs ops, as on other
 * backends) or back on; returns the previous setting. For tests and benchmarks that compare the two.
 */
export function setHostKernelsEnabled(enabled: boolean): boolean {
  const previous = hostKernelsEnabled;
  hostKernelsEnabled = enabled;
  return previous;
}

/** Runs the registered kernel `name` through tfjs' engine (tape, memory accounting, profiling). */
export function runHostKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor | tf.Tensor[];
}

/**
 * The size of the last axis of `shape` (1 for a scalar): the number of units a per-unit parameter
 * of shape [units] has.
 */
export function unitsOf(shape: number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/**
 * A parameter's values for each of `units` units: itself when it has one value per unit, else its
 * single value repeated (a parameter shared by the layer).
 * @throws Error when the parameter has neither 1 nor `units` values.
 */
export function perUnitValues(kernel: string, name: string, values: Float32Array, units: number): Float32Array {
  if (values.length === units) return values;
  if (values.length === 1) return new Float32Array(units).fill(values[0]);
  throw new Error(`${kernel}: parameter '${name}' has ${values.length} values; expected 1 or ${units} (the last input axis).`);
}

/**
 * Byte offset of a per-unit parameter's `units` values for a SIMD kernel: input `index` itself
 * when it has one value per unit, else a scratch array with its single value repeated.
 * @throws Error when the parameter has neither 1 nor `units` values.
 */
export function simdUnitParam(args: SimdKernelArgs, kernel: string, name: string, index: number, units: number): number {
  if (tf.util.sizeFromShape(args.shapes[index]) === units) return args.inputs[index];
  return args.scratch(perUnitValues(kernel, name, args.values(index), units));
}

/**
 * Scratch arrays for per-unit sums of a SIMD kernel's row loop (simd/wat_math.ts rowLoop): units
 * float32 partial sums and units float64 totals, both zero. Returns their byte offsets.
 */
export function simdUnitSums(args: SimdKernelArgs, units: number): [partial: number, totals: number] {
  return [args.scratch(units), args.scratch(2 * units)];
}

/**
 * Writes per-unit sums `acc` (one per unit) into a parameter gradient `out`: per unit when the
 * parameter has one value per unit, else their total.
 */
export function storeParamGrad(acc: Float64Array, out: Float32Array): void {
  if (out.length === acc.length) {
    for (let j = 0; j < acc.length; j++) out[j] = acc[j];
    return;
  }
  let total = 0;
  for (let j = 0; j < acc.length; j++) total += acc[j];
  out[0] = total;
}
