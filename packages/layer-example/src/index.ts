export { Swish, swish, type SwishOptions } from "./layer";
