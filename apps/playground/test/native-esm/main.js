// Shows what checks.js computes; the browser test reads #result.
import { runChecks } from "./checks.js";

const out = document.getElementById("result");
runChecks().then(
  (r) => {
    out.textContent = JSON.stringify(r);
    out.dataset.state = "done";
  },
  (e) => {
    out.textContent = `error: ${e.message}`;
    out.dataset.state = "error";
  },
);
