export { __Layer__, __layer__, type __Layer__Options } from "./layer";
