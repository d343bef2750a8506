import type { HostBackend, KernelTable } from "./primitive";
import { binaryKernels } from "./ops/binary";
import { castKernel } from "./ops/cast";
import { matmulKernel } from "./ops/matmul";
import { argKernels, reduceKernels } from "./ops/reduce";
import { concatKernel, gatherKernel, scatterAddKernel, unsliceKernel } from "./ops/structure";
import { unaryKernels } from "./ops/unary";
import { copyKernel } from "./ops/views";
import { whereKernel } from "./ops/where";

const kernels: KernelTable = {
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
  ...argKernels,
  cast: castKernel,
  where: whereKernel,
  matmul: matmulKernel,
  copy: copyKernel,
  unslice: unsliceKernel,
  concat: concatKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
};

/** The pure-TypeScript reference backend: runs everywhere, and is what other backends are tested against. */
export const jsBackend: HostBackend & { readonly kernels: KernelTable } = { name: "js", kernels };
