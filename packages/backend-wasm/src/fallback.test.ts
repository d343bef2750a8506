// The instantiate-failure path: where the engine refuses to compile wasm (a browser page whose CSP lacks
// 'wasm-unsafe-eval'; the browser test in apps/playground serves such a page), useWasmBackend falls back to
// the js backend and says why. Here the refusal is Chromium's CompileError, raised by WebAssembly.compile.
import { getBackend, jsBackend, setBackend, type Backend } from "@chainrule/ndarray";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBackend, disposeBackend, useWasmBackend, WasmUnavailableError } from "./index";

const CHROMIUM_CSP_REFUSAL =
  "WebAssembly.compile(): Refused to compile or instantiate WebAssembly module because 'wasm-unsafe-eval' " +
  "is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\"";

describe("useWasmBackend where wasm cannot compile", () => {
  let initial: Backend;
  beforeEach(async () => {
    initial = getBackend();
    await disposeBackend();
    vi.spyOn(WebAssembly, "compile").mockRejectedValue(new WebAssembly.CompileError(CHROMIUM_CSP_REFUSAL));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await disposeBackend();
    setBackend(initial);
  });

  it("sets the js backend, returns it and warns with the reason and the fix", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const backend = await useWasmBackend();
    expect(backend).toBe(jsBackend);
    expect(getBackend()).toBe(jsBackend);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /add 'wasm-unsafe-eval' to its script-src.*Falling back to the js backend/,
    );
  });

  it("hands the error to onFallback instead of warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const seen: WasmUnavailableError[] = [];
    const backend = await useWasmBackend({ onFallback: (e) => seen.push(e) });
    expect(backend.name).toBe("js");
    expect(warn).not.toHaveBeenCalled();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.cause).toBeInstanceOf(WebAssembly.CompileError);
  });

  it("rejects with WasmUnavailableError under fallbackToJs: false, and createBackend always does", async () => {
    const before = getBackend();
    await expect(useWasmBackend({ fallbackToJs: false })).rejects.toThrow(WasmUnavailableError);
    await expect(createBackend()).rejects.toThrow(
      /cannot compile the wasm module \(WebAssembly\.compile\(\)/,
    );
    expect(getBackend()).toBe(before);
  });

  it("compiles again once the engine allows it", async () => {
    vi.restoreAllMocks();
    const backend = await useWasmBackend();
    expect(backend.name).toBe("wasm");
  });
});
