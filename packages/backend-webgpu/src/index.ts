/// <reference types="@webgpu/types" />
export { createWebGpuBackend, useWebGpuBackend, type WebGpuBackend, type WebGpuOptions } from "./backend";
export { float64Error } from "./memory";
export type { ConvPrimitives } from "./conv";
