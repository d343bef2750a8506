import { describe, expect, it } from "vitest";
import * as np from "./index";

describe("smoke", () => {
  it("works", () => {
    const a = np.array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = np.array([10, 20, 30]);
    console.log(a.add(b).toString());
    console.log(np.matmul(a, a.T).toString());
    console.log(a.sum(0).toString(), a.sum(1).toString(), a.sum().item());
    console.log(np.slice(a, "::-1, 1:").toString());
    console.log(np.softmax(a).toString());
    console.log(np.arange(2000).toString());
    console.log(
      np
        .pad(
          a,
          [
            [1, 0],
            [0, 2],
          ],
          9,
        )
        .toString(),
    );
    console.log(np.tile(np.array([1, 2]), [2, 2]).toString());
    console.log(np.oneHot([0, 2, 1], 3).toString());
    console.log(np.concat([a, a], 1).toString(), np.gather(a, [1, 0, 1], 1).toString());
    console.log(np.array([1.5, 2.5, -0.5, 0.5]).round().toString(), np.array([true, false]).toString());
    expect(a.add(b).toArray()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
  });
});
