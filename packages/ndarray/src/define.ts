import type { DType } from "./dtype";
import { emit, emptyOnBackend, getBackend, isRecording, onBackend } from "./engine";
import { NDArray } from "./ndarray";
import { assertInputsLive } from "./pool";
import type { Backend, Primitive, VJP } from "./primitive";
import { BackendError } from "./errors";

/** A kernel of an outside primitive: fill `out` (fresh, contiguous) from the inputs. */
export type CustomKernel<P> = (inputs: readonly NDArray[], params: P, out: NDArray) => void;

export interface PrimitiveDefinition<P> {
  /** For printing (tapes, graphs, errors); it is not a registry key. */
  name: string;
  /** Shape and dtype of the output; throw here (naming the op and shapes) on bad input. */
  output(inputs: readonly NDArray[], params: P): { shape: readonly number[]; dtype: DType };
  /** The reference kernel, used on every backend that has no kernel of its own for this primitive. */
  kernel: CustomKernel<P>;
  /** Faster kernels keyed by backend name (`"wasm"`, …). */
  backendKernels?: Readonly<Record<string, CustomKernel<P>>>;
  /** Gradient rule, written with ops so that it can be differentiated again. */
  vjp: VJP<P>;
}

/**
 * Kernels a backend brings for primitives defined outside the core (by another package, with
 * `definePrimitive`), keyed by the primitive object itself: no names, no registry, and a second copy
 * of the defining package (other objects) simply falls back to its reference kernels. Build one with
 * `primitiveKernels(primitiveKernel(op, kernel), …)` and hand it to a backend as `primitiveKernels`.
 */
export interface PrimitiveKernels {
  get<P>(primitive: DefinedPrimitive<P>): CustomKernel<P> | undefined;
}

/** One entry of `PrimitiveKernels`: the kernel a backend runs for `primitive`, typed by its parameters. */
export interface PrimitiveKernelEntry<P> {
  readonly primitive: DefinedPrimitive<P>;
  readonly kernel: CustomKernel<P>;
}

/** Pairs a defined op (what `definePrimitive` returned, or its `.primitive`) with a backend's kernel for it. */
export function primitiveKernel<P>(
  op: DefinedPrimitive<P> | { readonly primitive: DefinedPrimitive<P> },
  kernel: CustomKernel<P>,
): PrimitiveKernelEntry<P> {
  return { primitive: "primitive" in op ? op.primitive : op, kernel };
}

/** An immutable set of backend kernels for defined primitives; a later entry for the same primitive wins. */
export function primitiveKernels(...entries: readonly PrimitiveKernelEntry<any>[]): PrimitiveKernels {
  const table = new Map<DefinedPrimitive<any>, CustomKernel<any>>();
  for (const e of entries) table.set(e.primitive, e.kernel);
  return { get: <P>(p: DefinedPrimitive<P>) => table.get(p) as CustomKernel<P> | undefined };
}

/** A primitive defined outside this package: the object a tape or graph records. */
export interface DefinedPrimitive<P> extends Primitive<P> {
  readonly definition: PrimitiveDefinition<P>;
  /**
   * The kernel this primitive runs on `backend`: the backend's own (`backend.primitiveKernels`), else
   * the definition's kernel for that backend's name, else the reference kernel on host backends. A device backend without a kernel of its own is an error.
   */
  kernelFor(backend: Backend): CustomKernel<P>;
}

/**
 * The public, typed way for another package to add a primitive (e.g. a convolution kernel) with its
 * kernels and gradient rule. There is no registry: the returned function closes over the primitive
 * object, and tapes and graphs key on that object, so two copies of a package never collide.
 *
 *   const square = definePrimitive<{}>({ name: "mySquare", output: ([x]) => x!, kernel, vjp });
 *   square([x], {});
 */
export function definePrimitive<P>(
  def: PrimitiveDefinition<P>,
): ((inputs: readonly NDArray[], params: P) => NDArray) & { primitive: DefinedPrimitive<P> } {
  const primitive: DefinedPrimitive<P> = {
    name: def.name,
    vjp: def.vjp,
    definition: def,
    kernelFor: (backend) => {
      const own = backend.primitiveKernels?.get(primitive) ?? def.backendKernels?.[backend.name];
      if (own) return own;
      if (!backend.device) return def.kernel;
      throw new BackendError(
        `${def.name}: no kernel for the '${backend.name}' backend (its definition gives kernels for ` +
          `${Object.keys(def.backendKernels ?? {}).join(", ") || "no backend"} and the host reference)`,
      );
    },
  };
  const apply = (inputs: readonly NDArray[], params: P): NDArray => {
    for (const x of inputs) {
      if (!(x instanceof NDArray)) throw new TypeError(`${def.name}: every input must be an NDArray`);
    }
    assertInputsLive(inputs, def.name);
    const { shape, dtype } = def.output(inputs, params);
    const out = emptyOnBackend([...shape], dtype, def.name);
    primitive.kernelFor(getBackend())(onBackend(inputs), params, out);
    if (isRecording()) emit(primitive, inputs, out, params);
    return out;
  };
  return Object.assign(apply, { primitive });
}
