// `@chainrule/backend-wasm/conv`: the wasm kernels for @chainrule/layer-conv's primitives, keyed by those
// primitive objects (ndarray's `primitiveKernels`). A separate entry so that the main one never imports
// layer-conv: `createBackend({ primitiveKernels: wasmConvKernels })`.
import { primitiveKernel, primitiveKernels, type PrimitiveKernels } from "@chainrule/ndarray";
import { biasRelu, col2im, im2col, maxPoolGather, maxPoolScatter } from "@chainrule/layer-conv";
import { wasmBiasRelu, wasmCol2im, wasmIm2col, wasmPoolGather, wasmPoolScatter } from "./conv";

const reference = (op: typeof im2col) => op.primitive.definition.kernel;

/** im2col, col2im, max pooling (forward and backward) and the bias + ReLU epilogue in wasm for this copy of layer-conv. */
export const wasmConvKernels: PrimitiveKernels = primitiveKernels(
  primitiveKernel(im2col, wasmIm2col(reference(im2col))),
  primitiveKernel(col2im, wasmCol2im(reference(col2im))),
  primitiveKernel(maxPoolGather, wasmPoolGather(reference(maxPoolGather))),
  primitiveKernel(maxPoolScatter, wasmPoolScatter(reference(maxPoolScatter))),
  primitiveKernel(biasRelu, wasmBiasRelu(biasRelu.primitive.definition.kernel)),
);
