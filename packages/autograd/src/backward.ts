import {
  add,
  onesLike,
  shapesEqual,
  ShapeError,
  sumTo,
  formatShape,
  type NDArray,
  type Primitive,
} from "@chainrule/ndarray";

/** Where a tracked array comes from: a node index (≥ 0), or a leaf as -(leafIndex + 1). */
export type TrackId = number;
/** Marks an input that the tape does not track (a constant). */
export const UNTRACKED = 0x7fffffff;

/** One recorded primitive application; `parents[j]` is the TrackId of `inputs[j]`. */
export interface TapeNode {
  readonly prim: Primitive;
  readonly inputs: readonly NDArray[];
  readonly parents: readonly TrackId[];
  readonly output: NDArray;
  readonly params: unknown;
}

const needsScratch: boolean[] = [];

/**
 * Reverse accumulation over recorded nodes (in execution order). Only nodes whose output depends
 * on a source run their rules, and only for inputs that depend on a source. A rule may return a
 * gradient in the broadcast shape of its output: it is summed back to the input's shape here,
 * the one place where broadcasting is undone.
 * Returns each source's gradient, or undefined where the targets do not depend on it.
 */
export function backward(
  nodes: readonly TapeNode[],
  leafCount: number,
  targets: readonly { id: TrackId; array: NDArray; seed?: NDArray }[],
  sources: readonly TrackId[],
): (NDArray | undefined)[] {
  const nodeDep = new Uint8Array(nodes.length);
  const leafDep = new Uint8Array(leafCount);
  const isSource = new Uint8Array(nodes.length);
  for (const s of sources) {
    if (s >= 0) nodeDep[s] = isSource[s] = 1;
    else leafDep[-s - 1] = 1;
  }
  const depends = (id: TrackId) => id !== UNTRACKED && (id >= 0 ? nodeDep[id] === 1 : leafDep[-id - 1] === 1);
  for (let i = 0; i < nodes.length; i++) {
    if (nodeDep[i]) continue;
    const ps = nodes[i]!.parents;
    for (let j = 0; j < ps.length; j++) {
      if (depends(ps[j]!)) {
        nodeDep[i] = 1;
        break;
      }
    }
  }

  const nodeGrad: (NDArray | undefined)[] = new Array(nodes.length);
  const leafGrad: (NDArray | undefined)[] = new Array(leafCount);
  const accumulate = (id: TrackId, g: NDArray) => {
    const store = id >= 0 ? nodeGrad : leafGrad;
    const k = id >= 0 ? id : -id - 1;
    const prev = store[k];
    store[k] = prev === undefined ? g : add(prev, g);
  };
  for (const t of targets) {
    if (!depends(t.id)) continue;
    if (t.seed && !shapesEqual(t.seed.shape, t.array.shape)) {
      throw new ShapeError(
        `gradient: output gradient of shape ${formatShape(t.seed.shape)} does not match target shape ${formatShape(t.array.shape)}`,
      );
    }
    accumulate(t.id, t.seed ?? onesLike(t.array));
  }

  for (let i = nodes.length - 1; i >= 0; i--) {
    const g = nodeGrad[i];
    if (g === undefined || !nodeDep[i]) continue;
    if (!isSource[i]) nodeGrad[i] = undefined; // release as we go
    const n = nodes[i]!;
    const ps = n.parents;
    needsScratch.length = ps.length;
    for (let j = 0; j < ps.length; j++) needsScratch[j] = depends(ps[j]!);
    const inputGrads = n.prim.vjp(g, n.inputs, n.output, n.params, needsScratch);
    for (let j = 0; j < ps.length; j++) {
      const gj = inputGrads[j];
      if (!gj || !depends(ps[j]!)) continue;
      const x = n.inputs[j]!;
      accumulate(ps[j]!, shapesEqual(gj.shape, x.shape) ? gj : sumTo(gj, x.shape));
    }
  }
  return sources.map((s) => (s >= 0 ? nodeGrad[s] : leafGrad[-s - 1]));
}
