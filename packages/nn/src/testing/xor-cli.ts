// Run in a child process by xor.test.ts: trains XOR with the seed and step count given on the command line and
// prints the weights' exact bits.
import { trainXor, weightBits } from "./xor";

const [seed, steps] = process.argv.slice(2).map(Number);
const { model } = trainXor(seed!, steps!);
process.stdout.write(weightBits(model) + "\n");
