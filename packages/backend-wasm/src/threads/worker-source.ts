// The worker is plain JavaScript kept as a string, so it needs no file on disk: Node runs
// it with `eval: true` and browsers from a Blob URL. That makes it work identically from
// TypeScript sources (tests), the ESM build and the CJS build. Constants come from protocol.ts.
import * as P from "./protocol";

export const WORKER_SOURCE = `"use strict";
const SEQ = ${P.SEQ}, WORD = ${P.WORD}, DONE = ${P.DONE}, FAILED = ${P.FAILED}, STOP = ${P.STOP};
const WORKER_UNITS = ${P.WORKER_UNITS}, PAUSE_BASE = ${P.PAUSE_BASE}, UNIT_SHIFT = ${P.UNIT_SHIFT};
const STALL_BASE = ${P.STALL_BASE};
const MAX_UNITS = ${P.MAX_UNITS}, JOB_GEMM_F32 = ${P.JOB_GEMM_F32}, SPIN_MS = ${P.WORKER_SPIN_MS};
function start(msg, post) {
  const instance = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
  const ex = instance.exports;
  const ctrl = new Int32Array(msg.ctrl);
  const args = new Float64Array(msg.args);
  const me = msg.index; // thread index: the caller is 0
  const nap = new Int32Array(new SharedArrayBuffer(4));
  // Claims units of whatever job is current until it is exhausted (see protocol.ts).
  function work() {
    for (;;) {
      const word = Atomics.add(ctrl, WORD, 1 << UNIT_SHIFT);
      const unit = word >>> UNIT_SHIFT;
      const total = word & MAX_UNITS;
      if (unit >= total) return;
      const stall = Atomics.exchange(ctrl, STALL_BASE + me, 0);
      if (stall > 0) Atomics.wait(nap, 0, 0, stall); // tests: descheduled inside a unit
      try {
        const fn = args[0] === JOB_GEMM_F32 ? ex.gemmUnitF32 : ex.gemmUnitF64;
        fn(args[1], unit, args[2 + me]);
      } catch (e) {
        Atomics.store(ctrl, FAILED, 1);
      }
      Atomics.add(ctrl, WORKER_UNITS, 1);
      if (Atomics.add(ctrl, DONE, 1) + 1 === total) Atomics.notify(ctrl, DONE);
    }
  }
  // Read the sequence before announcing readiness: jobs can only be posted after "ready".
  let seen = Atomics.load(ctrl, SEQ);
  post({ type: "ready" });
  for (;;) {
    // Spin briefly before sleeping: a training step posts GEMMs a few µs to a few hundred
    // µs apart, and waking from Atomics.wait costs 20-100 µs, more than many GEMMs take.
    const until = performance.now() + SPIN_MS;
    for (let i = 1; Atomics.load(ctrl, SEQ) === seen; i++) {
      if ((i & 255) === 0 && performance.now() > until) {
        Atomics.wait(ctrl, SEQ, seen);
        break;
      }
    }
    seen = Atomics.load(ctrl, SEQ);
    if (Atomics.load(ctrl, STOP) !== 0) break;
    const pause = Atomics.exchange(ctrl, PAUSE_BASE + me, 0);
    if (pause > 0) Atomics.wait(nap, 0, 0, pause);
    work();
  }
}
if (typeof self === "undefined" || typeof self.postMessage !== "function") {
  // import() rather than require: Node runs eval workers as ES modules under --input-type=module.
  import("node:worker_threads").then(({ parentPort }) => {
    parentPort.once("message", (msg) => start(msg, (m) => parentPort.postMessage(m)));
  });
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;
