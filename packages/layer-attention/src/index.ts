export {
  Embedding,
  PositionalEmbedding,
  SinusoidalPositionalEncoding,
  LayerNorm,
  GELU,
  MultiHeadAttention,
  Block,
  type SeedOptions,
  type EmbeddingOptions,
  type MultiHeadAttentionOptions,
  type BlockOptions,
} from "./layers";
export {
  gelu,
  layerNorm,
  embedding,
  causalMask,
  scaledDotProductAttention,
  multiHeadAttention,
  splitHeads,
  mergeHeads,
  sinusoidalEncoding,
  type AttentionOptions,
  type MultiHeadAttentionWeights,
} from "./ops";
export { GPT, type GPTOptions } from "./models";
