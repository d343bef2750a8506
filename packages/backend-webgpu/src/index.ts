/// <reference types="@webgpu/types" />
export { createWebGpuBackend, useWebGpuBackend, type WebGpuBackend } from "./backend";
export { float64Error } from "./memory";
