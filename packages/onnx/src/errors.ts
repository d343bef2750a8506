/** A model that cannot be written as ONNX, or an .onnx file that cannot be read as a chainrule model. */
export class OnnxError extends Error {
  override name = "OnnxError";
}
