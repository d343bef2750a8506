// The worker is plain JavaScript kept as a string, so it needs no file on disk: Node runs
// it with `eval: true` and browsers from a Blob URL. That makes it work identically from
// TypeScript sources (tests), the ESM build and the CJS build. Constants mirror protocol.ts.
import { WORKER_SPIN_MS } from "./protocol";

export const WORKER_SOURCE = `"use strict";
const SEQ = 0, DONE = 1, STATUS = 2, JOB_EXIT = -1, JOB_GEMM_F32 = 1, SPIN_MS = ${WORKER_SPIN_MS};
function start(msg, post) {
  const instance = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
  const ex = instance.exports;
  const ctrl = new Int32Array(msg.ctrl, msg.ctrlOffset * 4, 16);
  const args = new Float64Array(msg.args, msg.argsOffset * 8, 32);
  // Read the sequence before announcing readiness: jobs can only be posted after "ready",
  // so a job can never slip in between and be mistaken for the starting point.
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
    const job = args[0];
    if (job === JOB_EXIT) break;
    let status = 0;
    try {
      const fn = job === JOB_GEMM_F32 ? ex.gemmBatchedF32 : ex.gemmBatchedF64;
      fn(args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10],
         args[11], args[12], args[13], args[14], args[15], args[16], args[17], args[18]);
    } catch (e) {
      status = 1;
    }
    Atomics.store(ctrl, STATUS, status);
    Atomics.store(ctrl, DONE, seen);
    Atomics.notify(ctrl, DONE);
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
