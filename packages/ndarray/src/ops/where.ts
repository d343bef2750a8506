import { promote } from "../dtype";
import { run } from "../engine";
import { forEachRow } from "../iter";
import { NDArray } from "../ndarray";
import type { Kernel, PrimitiveTable } from "../primitive";
import { broadcastShapes } from "../shape";
import { cast } from "./cast";
import { zerosLike } from "../creation";
import { type Input, operand } from "./util";
import { broadcastView } from "./views";

export const whereKernel: Kernel<"where"> = ([cond, x, y], _p, out) => {
  // Operands come in their own shapes: broadcast them here with unrecorded stride-0 views.
  const c = broadcastView(cond!, out.shape);
  const a = broadcastView(x!, out.shape);
  const b = broadcastView(y!, out.shape);
  const o = out.buffer;
  const cb = c!.buffer;
  const ab = a!.buffer;
  const bb = b!.buffer;
  let i = 0;
  forEachRow(
    out.shape,
    [c!.strides, a!.strides, b!.strides],
    [c!.offset, a!.offset, b!.offset],
    (offs, n, st) => {
      let pc = offs[0]!;
      let pa = offs[1]!;
      let pb = offs[2]!;
      for (let j = 0; j < n; j++, pc += st[0]!, pa += st[1]!, pb += st[2]!)
        o[i++] = cb[pc] ? ab[pa]! : bb[pb]!;
    },
  );
};

export const wherePrims: PrimitiveTable<"where"> = {
  where: {
    name: "where",
    vjp: (g, [c], _y, _p, needs) => {
      const z = zerosLike(g);
      return [null, needs[1] ? where(c!, g, z) : null, needs[2] ? where(c!, z, g) : null];
    },
  },
};

/** Elementwise `cond ? a : b` with broadcasting of all three. */
export function where(cond: NDArray, a: Input, b: Input): NDArray {
  if (!(cond instanceof NDArray)) throw new TypeError("where: the condition must be an NDArray");
  let x = operand(a, b, "where");
  let y = operand(b, a, "where");
  const d = promote(x.dtype, y.dtype);
  x = cast(x, d);
  y = cast(y, d);
  const c = cond.dtype === "bool" ? cond : cast(cond, "bool");
  const shape = broadcastShapes("where", c.shape, x.shape, y.shape);
  return run(wherePrims.where, [c, x, y], {}, shape, d);
}
