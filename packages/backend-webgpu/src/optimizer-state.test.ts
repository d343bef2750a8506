// Saving and restoring the optimizer state of device-resident parameters: stateDict copies it on the device,
// stateToHost reads it back, loadStateDict takes host (JSON) or device state, and training continues exactly.
import { Variable } from "@chainrule/autograd";
import * as np from "@chainrule/ndarray";
import {
  Adagrad,
  Adam,
  AdamW,
  RMSProp,
  SGD,
  stateFromJSON,
  stateToHost,
  stateToJSON,
  type Optimizer,
  type OptimizerState,
} from "@chainrule/optim";
import { Dense, loadWeights, saveWeights, saveWeightsAsync, Sequential } from "@chainrule/nn";
import { describe, expect, it } from "vitest";
import { loss, model, on } from "./optimizer-fixture";
import { values, webgpu } from "./test-helpers";

type Make = (params: Variable[]) => Optimizer;

const OPTIMIZERS: [string, Make][] = [
  ["Adam", (p) => new Adam(p, { lr: 0.05 })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 })],
  ["SGD with momentum", (p) => new SGD(p, { lr: 0.1, momentum: 0.9 })],
  ["RMSProp centered + momentum", (p) => new RMSProp(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ["Adagrad from 0.1", (p) => new Adagrad(p, { lr: 0.1, initialAccumulatorValue: 0.1 })],
];

const read = (params: Variable[]) => Promise.all(params.map(async (p) => Array.from(await p.data())));

/** Every slot of a host state as flat numbers, keyed "slot/param". */
function flatSlots(state: OptimizerState): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [s, rec] of Object.entries(state.slots))
    for (const [k, a] of Object.entries(rec)) out[`${s}/${k}`] = Array.from(a.dataSync());
  return out;
}

describe("optimizer state of device parameters", () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: stateDict on the device, stateToHost + JSON, loadStateDict; training continues exactly`, async () => {
      const gpu = await webgpu();
      // The same 3 steps on js: the state read back from the device must be that one.
      const hostState = await on(np.jsBackend, () => {
        const params = model();
        const opt = make(params);
        for (let s = 0; s < 3; s++) opt.minimize(() => loss(params));
        return opt.stateDict();
      });
      await on(gpu, async () => {
        const params = model();
        const opt = make(params);
        for (let s = 0; s < 3; s++) opt.minimize(() => loss(params));
        const state = opt.stateDict(); // copies on the device: nothing read back
        const first = Object.values(Object.values(state.slots)[0]!)[0]!;
        expect(first.onDevice).toBe(true);
        expect(() => stateToJSON(state)).toThrow(
          /stateToJSON: slot '\w+' of parameter 'w' lives on the 'webgpu' backend.*stateToJSON\(await stateToHost\(state\)\)/,
        );
        const json = JSON.stringify(stateToJSON(await stateToHost(state)));

        const want = flatSlots(hostState);
        const got = flatSlots(stateFromJSON(JSON.parse(json)));
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const [k, w] of Object.entries(want))
          w.forEach((v, i) => {
            if (Math.abs(got[k]![i]! - v) > 2e-5 * Math.max(1, Math.abs(v)))
              expect.fail(`${k}[${i}]: webgpu ${got[k]![i]}, js ${v}`);
          });
        expect(Math.max(...Object.values(want).flat().map(Math.abs))).toBeGreaterThan(1e-3);

        // Two fresh optimizers over copies of the weights: one from the JSON, one from the device state.
        const fromJson = params.map((p) => new Variable(p, { name: p.name }));
        const fromDevice = params.map((p) => new Variable(p, { name: p.name }));
        const a = make(fromJson);
        a.loadStateDict(stateFromJSON(JSON.parse(json)));
        const b = make(fromDevice);
        b.loadStateDict(state);
        expect([a.iterations, b.iterations]).toEqual([3, 3]);
        for (let s = 0; s < 3; s++)
          for (const [o, p] of [
            [opt, params],
            [a, fromJson],
            [b, fromDevice],
          ] as const)
            o.minimize(() => loss(p));
        const reference = await read(params);
        expect(await read(fromJson)).toEqual(reference);
        expect(await read(fromDevice)).toEqual(reference);
        // The snapshot did not follow the later steps.
        expect(flatSlots(await stateToHost(state))).toEqual(got);
      });
    });
  }

  it("a host parameter given device state says to read it back first", async () => {
    const gpu = await webgpu();
    const state = await on(gpu, () => {
      const params = model();
      const opt = new Adam(params, { lr: 0.05 });
      opt.minimize(() => loss(params));
      return opt.stateDict();
    });
    const host = await on(np.jsBackend, () => new Adam(model(), { lr: 0.05 }));
    await on(gpu, () =>
      expect(() => host.loadStateDict(state)).toThrow(
        /Adam.loadStateDict: slot 'm' for parameter 'w' \(#0\) lives on the 'webgpu' backend and the parameter on the host; read the state back first/,
      ),
    );
    expect(host.iterations).toBe(0);
  });

  it("nn's saveWeights names saveWeightsAsync for device weights, which saves what js saves", async () => {
    const gpu = await webgpu();
    const make = (seed: number) => new Sequential([new Dense(4, { inputDim: 3 }), new Dense(2)], { seed });
    const want = await on(np.jsBackend, () => saveWeights(make(5).build([3])));
    await on(gpu, async () => {
      const model = make(5).build([3]);
      expect(model.parameters()[0]!.onDevice).toBe(true);
      expect(() => saveWeights(model)).toThrow(
        /saveWeights: tensor 'layers.0.kernel' lives on the 'webgpu' backend.*await saveWeightsAsync\(module\)/,
      );
      const bytes = await saveWeightsAsync(model);
      expect(Array.from(bytes)).toEqual(Array.from(want));
      const other = make(6).build([3]);
      loadWeights(other, bytes); // host values into device Variables
      const [a, b] = [model, other].map((m) => m.parameters()[0]!);
      expect(Array.from(await b!.data())).toEqual(Array.from(await a!.data()));
    });
  });
});
