export { Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D } from "./layers";
export type { Conv2DOptions, Pool2DOptions, GlobalAvgPool2DOptions } from "./layers";
export { conv2d, maxPool2d, avgPool2d, globalAvgPool2d, type Conv2dOptions, type Pool2dOptions } from "./ops";
export { im2col, col2im, maxPoolGather, maxPoolScatter, type WindowPrimitive } from "./primitives";
export { biasRelu, type BiasReluPrimitive, type BiasReluParams } from "./bias-relu";
export {
  axisGeometry,
  windowGeometry,
  type Padding,
  type Pair,
  type Window2D,
  type WindowGeometry,
  type WindowOptions,
} from "./geometry";
export { fashionCnn, type FashionCnnOptions } from "./models";
