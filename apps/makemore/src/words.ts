import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { Random } from "@chainrule/ndarray";

export const WORDS_FILE = "/usr/share/dict/words";
/** sha256 of wamerican 2020.12.07-2's /usr/share/dict/words (Debian bookworm). */
export const WORDS_SHA256 = "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32";
/** "." marks a word's start and end; then a–z. */
export const ALPHABET = ".abcdefghijklmnopqrstuvwxyz";

/** The word list's lowercase a–z words (no apostrophes, no proper nouns), after checking the file's sha256. */
export function loadWords(file = WORDS_FILE, sha256 = WORDS_SHA256): string[] {
  if (!existsSync(file)) {
    throw new Error(
      `makemore: ${file} is missing: install Debian's word list with 'apt-get install wamerican'`,
    );
  }
  const bytes = readFileSync(file);
  const got = createHash("sha256").update(bytes).digest("hex");
  if (got !== sha256) {
    throw new Error(
      `makemore: ${file} has sha256 ${got}, expected ${sha256} (Debian's wamerican); reinstall it with 'apt-get install --reinstall wamerican'`,
    );
  }
  return bytes
    .toString("utf8")
    .split("\n")
    .filter((w) => /^[a-z]+$/.test(w));
}

/** A seeded shuffle split into training and validation words. */
export function splitWords(words: readonly string[], valFraction: number, seed: number) {
  const order = new Random(seed).permutation(words.length);
  const nVal = Math.round(words.length * valFraction);
  const pick = (from: number, to: number) => Array.from(order.subarray(from, to), (i) => words[i]!);
  return { train: pick(nVal, words.length), val: pick(0, nVal) };
}

/** Words joined into one id stream, each preceded by "." (so "." also ends the previous word). */
export function encodeStream(words: readonly string[]): Int32Array {
  const text = "." + words.join(".") + ".";
  return Int32Array.from(text, (c) => ALPHABET.indexOf(c));
}
