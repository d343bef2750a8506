// One program, run once through require() and once through import(): both must print the same text.
// `load(name)` is the module loader of the format under test; every line printed names a class, so a
// build that renames classes (`_class2`) under one format shows up as a difference.
async function sameOutput(load) {
  const np = await load("@chainrule/ndarray");
  const { GradientTape, Variable } = await load("@chainrule/autograd");
  const nn = await load("@chainrule/nn");
  const lines = [];
  const model = new nn.Sequential([new nn.Dense(4, { inputDim: 3, activation: "relu" }), new nn.Dense(2)], {
    seed: 1,
  });
  lines.push(model.summary(undefined, { print: false }));
  lines.push(model.toString());
  const x = new Variable(np.array([1, 2, 3]));
  const tape = new GradientTape();
  tape.record(() => x.mul(x).sum());
  lines.push(tape.toString());
  lines.push(np.array([[1.5, 2]]).toString());
  const errors = [
    () => nn.parseSafetensors(new Uint8Array(3)),
    () => model.build([5]),
    () => np.matmul(np.zeros([2, 3]), np.zeros([4, 5])),
  ];
  for (const f of errors) {
    try {
      f();
      lines.push("no error");
    } catch (err) {
      lines.push(`${err.constructor.name} ${err.name}: ${err.message}`);
    }
  }
  // Every exported class keeps its own name (a bundler names self-referencing classes `_Name`).
  for (const name of ["@chainrule/ndarray", "@chainrule/autograd", "@chainrule/nn", "@chainrule/graph"]) {
    for (const [key, value] of Object.entries(await load(name))) {
      if (typeof value === "function" && /^class\b/.test(Function.prototype.toString.call(value))) {
        lines.push(`class ${key} named ${value.name}`);
      }
    }
  }
  return lines.join("\n");
}
module.exports = { sameOutput };
