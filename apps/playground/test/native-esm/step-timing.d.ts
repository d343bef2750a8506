// Types for step-timing.js (plain JavaScript, loaded by the page without a build step).
export function timeSteps(mode: "eager" | "tidy" | "traced", steps: number, warmup?: number): number;
