// README blocks written before the READMEs were tested: API listings in signature form (`zeros(shape: number[])`)
// or fragments using names defined elsewhere. Each is expected to FAIL (it.fails): once a block is rewritten as
// a runnable example its test passes, vitest reports that as an error, and its entry must come off this list.
// The list only shrinks; a new block is never added to it.
export const PENDING: ReadonlySet<string> = new Set([]);
