import type { PrimName, PrimitiveTable } from "./primitive";
import { binaryPrims } from "./ops/binary";
import { castPrims } from "./ops/cast";
import { matmulPrims } from "./ops/matmul";
import { reducePrims } from "./ops/reduce";
import { structurePrims } from "./ops/structure";
import { unaryPrims } from "./ops/unary";
import { viewPrims } from "./ops/views";
import { wherePrims } from "./ops/where";

/** Every built-in primitive with its gradient rule; the type makes a missing rule a compile error. */
export const primitives: PrimitiveTable<PrimName> = {
  ...unaryPrims,
  ...binaryPrims,
  ...reducePrims,
  ...castPrims,
  ...wherePrims,
  ...matmulPrims,
  ...viewPrims,
  ...structurePrims,
};
