import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import { Random, ShapeError, formatShape, type DType, type NDArray } from "@chainrule/ndarray";
import { Dense, Dropout, Module, initialize } from "@chainrule/nn";
import { embedding, gelu, layerNorm, multiHeadAttention, sinusoidalEncoding } from "./ops";

/** `rng`, else a generator from `seed`, else a fork of @chainrule/nn's default generator (`manualSeed`). */
export function resolveRng(options: { seed?: number | string; rng?: Random }): Random {
  if (options.rng !== undefined) return options.rng;
  if (options.seed !== undefined) return new Random(options.seed);
  // `initialize` hands an initialiser a fork of nn's default generator when given no seed or rng: keep it.
  let rng: Random | undefined;
  initialize((shape, ctx) => ((rng = ctx.rng), np.zeros(shape, ctx.dtype)), [0]);
  return rng!;
}

const positive = (layer: string, what: string, n: number) => {
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`${layer}: ${what} must be a positive integer, got ${n}`);
};

export interface SeedOptions {
  /** Seed for the initialisers and dropout masks (or pass `rng`); without either, forks nn's default generator. */
  seed?: number | string;
  rng?: Random;
  /** dtype of the weights (default float32). */
  dtype?: DType;
}

export interface EmbeddingOptions extends SeedOptions {
  /** Standard deviation of the normal initialiser (default 0.02, GPT-2's). */
  std?: number;
}

/** A lookup table [numEmbeddings, dim]: integer ids of any shape → [...ids.shape, dim]. */
export class Embedding extends Module {
  weight: Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly dim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    positive("Embedding", "numEmbeddings", numEmbeddings);
    positive("Embedding", "dim", dim);
    const dtype = options.dtype ?? "float32";
    const w = resolveRng(options).normal([numEmbeddings, dim], 0, options.std ?? 0.02, dtype);
    this.weight = new Variable(w, { name: "weight", dtype });
  }

  forward(ids: NDArray): NDArray {
    if (ids.dtype !== "int32" && ids.dtype !== "uint8") {
      throw new TypeError(
        `Embedding(${this.numEmbeddings}, ${this.dim}): ids must be int32 or uint8, got ${ids.dtype}`,
      );
    }
    return embedding(this.weight, ids);
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.dim}`;
  }
}

/** Learned absolute positions: adds row t of a [maxLength, dim] table to position t of x [B, T, dim]. */
export class PositionalEmbedding extends Module {
  weight: Variable;

  constructor(
    readonly maxLength: number,
    readonly dim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    positive("PositionalEmbedding", "maxLength", maxLength);
    positive("PositionalEmbedding", "dim", dim);
    const dtype = options.dtype ?? "float32";
    const w = resolveRng(options).normal([maxLength, dim], 0, options.std ?? 0.02, dtype);
    this.weight = new Variable(w, { name: "weight", dtype });
  }

  forward(x: NDArray): NDArray {
    return np.add(x, positionsFor(x, this.weight, "PositionalEmbedding"));
  }
}

/** Fixed sinusoidal positions (Vaswani et al.), added to x [B, T, dim]; a buffer, not trained. */
export class SinusoidalPositionalEncoding extends Module {
  table: Variable;

  constructor(
    readonly maxLength: number,
    readonly dim: number,
    options: { dtype?: DType } = {},
  ) {
    super();
    positive("SinusoidalPositionalEncoding", "maxLength", maxLength);
    positive("SinusoidalPositionalEncoding", "dim", dim);
    const dtype = options.dtype ?? "float32";
    this.table = new Variable(sinusoidalEncoding(maxLength, dim, dtype), {
      name: "table",
      trainable: false,
      dtype,
    });
  }

  forward(x: NDArray): NDArray {
    return np.add(x, positionsFor(x, this.table, "SinusoidalPositionalEncoding"));
  }
}

function positionsFor(x: NDArray, table: NDArray, layer: string): NDArray {
  const [L, D] = table.shape as [number, number];
  if (x.ndim !== 3 || x.shape[2] !== D || x.shape[1]! > L) {
    throw new ShapeError(`${layer}(${L}, ${D}): expected x [B, T ≤ ${L}, ${D}], got ${formatShape(x.shape)}`);
  }
  return np.slice(table, [[0, x.shape[1]!]]);
}

/** Layer normalisation over the last axis with a learned scale `gamma` (ones) and shift `beta` (zeros). */
export class LayerNorm extends Module {
  gamma: Variable;
  beta: Variable;

  constructor(
    readonly dim: number,
    readonly options: { eps?: number; dtype?: DType } = {},
  ) {
    super();
    positive("LayerNorm", "dim", dim);
    const dtype = options.dtype ?? "float32";
    this.gamma = new Variable(np.ones([dim], dtype), { name: "gamma", dtype });
    this.beta = new Variable(np.zeros([dim], dtype), { name: "beta", dtype });
  }

  forward(x: NDArray): NDArray {
    if (x.shape[x.ndim - 1] !== this.dim) {
      throw new ShapeError(
        `LayerNorm(${this.dim}): expected x [..., ${this.dim}], got ${formatShape(x.shape)}`,
      );
    }
    return layerNorm(x, this.gamma, this.beta, this.options.eps ?? 1e-5);
  }

  protected override extraRepr(): string {
    return `${this.dim}`;
  }
}

/** GELU (tanh form), as a layer. */
export class GELU extends Module {
  forward(x: NDArray): NDArray {
    return gelu(x);
  }
}

export interface MultiHeadAttentionOptions extends SeedOptions {
  /** Mask future positions (default true). */
  causal?: boolean;
  /** Dropout rate on the attention weights, in training mode (default 0). */
  dropout?: number;
}

/**
 * Multi-head self-attention over x [B, T, dim]: query/key/value/output projections [dim, dim] with biases,
 * `heads` heads of dim/heads each, causal by default.
 */
export class MultiHeadAttention extends Module {
  query: Dense;
  key: Dense;
  value: Dense;
  output: Dense;
  attentionDropout: Dropout;
  readonly causal: boolean;

  constructor(
    readonly dim: number,
    readonly heads: number,
    options: MultiHeadAttentionOptions = {},
  ) {
    super();
    positive("MultiHeadAttention", "dim", dim);
    positive("MultiHeadAttention", "heads", heads);
    if (dim % heads !== 0)
      throw new RangeError(`MultiHeadAttention: dim ${dim} is not divisible by heads ${heads}`);
    const rng = resolveRng(options);
    const dense = () => new Dense(dim, { inputDim: dim, dtype: options.dtype, rng: rng.fork() });
    this.query = dense();
    this.key = dense();
    this.value = dense();
    this.output = dense();
    this.attentionDropout = new Dropout(options.dropout ?? 0, { rng: rng.fork() });
    this.causal = options.causal ?? true;
  }

  forward(x: NDArray): NDArray {
    if (x.ndim !== 3 || x.shape[2] !== this.dim) {
      throw new ShapeError(
        `MultiHeadAttention(${this.dim}, ${this.heads}): expected x [B, T, ${this.dim}], got ${formatShape(x.shape)}`,
      );
    }
    const [q, k, v, o] = [this.query, this.key, this.value, this.output];
    const weights = {
      wq: q.kernel!,
      wk: k.kernel!,
      wv: v.kernel!,
      wo: o.kernel!,
      bq: q.bias!,
      bk: k.bias!,
      bv: v.bias!,
      bo: o.bias!,
    };
    return multiHeadAttention(x, weights, this.heads, {
      causal: this.causal,
      dropWeights: (w) => this.attentionDropout.call(w),
    });
  }

  protected override extraRepr(): string {
    return `${this.dim}, heads=${this.heads}${this.causal ? ", causal" : ""}`;
  }
}

export interface BlockOptions extends MultiHeadAttentionOptions {
  /** Width of the MLP's hidden layer as a multiple of dim (default 4). */
  mlpRatio?: number;
}

/** A pre-norm transformer block (GPT-2): x + attn(ln1(x)), then x + mlp(ln2(x)) with mlp = Dense(4·dim, GELU) → Dense(dim). */
export class Block extends Module {
  ln1: LayerNorm;
  attention: MultiHeadAttention;
  ln2: LayerNorm;
  fc: Dense;
  proj: Dense;
  dropout: Dropout;

  constructor(
    readonly dim: number,
    readonly heads: number,
    options: BlockOptions = {},
  ) {
    super();
    const rng = resolveRng(options);
    const dtype = options.dtype;
    const hidden = Math.round((options.mlpRatio ?? 4) * dim);
    this.ln1 = new LayerNorm(dim, { dtype });
    this.attention = new MultiHeadAttention(dim, heads, { ...options, seed: undefined, rng: rng.fork() });
    this.ln2 = new LayerNorm(dim, { dtype });
    this.fc = new Dense(hidden, { inputDim: dim, activation: gelu, dtype, rng: rng.fork() });
    this.proj = new Dense(dim, { inputDim: hidden, dtype, rng: rng.fork() });
    this.dropout = new Dropout(options.dropout ?? 0, { rng: rng.fork() });
  }

  forward(x: NDArray): NDArray {
    const h = np.add(x, this.dropout.call(this.attention.call(this.ln1.call(x))));
    return np.add(h, this.dropout.call(this.proj.call(this.fc.call(this.ln2.call(h)))));
  }
}
