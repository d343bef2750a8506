export { GradientTape, type GradientTapeOptions, type GradientOptions } from "./tape";
export { Variable, type VariableOptions } from "./variable";
export { grad, valueAndGrad, vjp } from "./functional";
export { noGrad, stopGradient, detach, customGrad, type CustomGradResult } from "./control";
export { checkGrads, GradCheckError, type CheckGradsOptions, type CheckGradsReport } from "./check";
export type { Tree, MapTree } from "./tree";
export { backward, UNTRACKED, type TapeNode, type TrackId } from "./backward";
export { jvp, hvp } from "./forward";
export { jacobian, hessian } from "./jacobian";
