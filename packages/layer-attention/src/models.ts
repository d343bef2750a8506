import { ShapeError, formatShape, type NDArray } from "@chainrule/ndarray";
import { Dense, Module } from "@chainrule/nn";
import { Block, Embedding, LayerNorm, PositionalEmbedding, resolveRng, type SeedOptions } from "./layers";

export interface GPTOptions extends SeedOptions {
  vocabSize: number;
  /** Longest context (the positional table's length). */
  blockSize: number;
  dim: number;
  heads: number;
  layers: number;
  dropout?: number;
}

/** A GPT-2-shaped decoder: token + learned position embeddings, pre-norm blocks, a final LayerNorm and a linear head. ids [B, T] → logits [B, T, vocabSize]. */
export class GPT extends Module {
  tokens: Embedding;
  positions: PositionalEmbedding;
  blocks: Block[];
  lnFinal: LayerNorm;
  head: Dense;
  readonly config: Readonly<GPTOptions>;

  constructor(options: GPTOptions) {
    super();
    const { vocabSize, blockSize, dim, heads, layers, dropout, dtype } = options;
    const rng = resolveRng(options);
    this.config = { vocabSize, blockSize, dim, heads, layers, dropout };
    this.tokens = new Embedding(vocabSize, dim, { dtype, rng: rng.fork() });
    this.positions = new PositionalEmbedding(blockSize, dim, { dtype, rng: rng.fork() });
    this.blocks = Array.from(
      { length: layers },
      () => new Block(dim, heads, { dropout, dtype, rng: rng.fork() }),
    );
    this.lnFinal = new LayerNorm(dim, { dtype });
    this.head = new Dense(vocabSize, { inputDim: dim, dtype, rng: rng.fork() });
  }

  forward(ids: NDArray): NDArray {
    if (ids.ndim !== 2 || ids.shape[1]! > this.config.blockSize) {
      throw new ShapeError(
        `GPT: expected ids [B, T ≤ ${this.config.blockSize}], got ${formatShape(ids.shape)}`,
      );
    }
    let x = this.positions.call(this.tokens.call(ids));
    for (const block of this.blocks) x = block.call(x);
    return this.head.call(this.lnFinal.call(x));
  }
}
