/// <reference types="@webgpu/types" />
export { createWebGpuBackend, useWebGpuBackend, MISSING_KERNELS, type WebGpuBackend } from "./backend";
export { float64Error } from "./memory";
