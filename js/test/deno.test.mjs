// The package in Deno (the runtime from the `deno` npm package): a script imports
// "nks-edge" from this project's node_modules and lists the emulator's clusters, and
// "nks-edge/policy" plans.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { EMULATOR, IDENTITY, reset } from "./emulator.mjs";

const DENO = new URL("node_modules/.bin/deno", import.meta.url).pathname;

test("Deno lists the emulator's clusters and plans with nks-edge/policy", async () => {
  await reset();
  const script = `
    import { NksClient, NksError } from "nks-edge";
    import * as policy from "nks-edge/policy";
    const nks = new NksClient({ endpoint: "${EMULATOR}", identity: { ...${JSON.stringify(IDENTITY)}, endpoint: "${EMULATOR}" } });
    const names = (await nks.listClusters()).map((c) => c.name).sort();
    const error = await nks.getCluster("ghost").catch((e) => e);
    const full = new policy.NksClient({ endpoint: "${EMULATOR}", identity: { ...${JSON.stringify(IDENTITY)}, endpoint: "${EMULATOR}" } });
    const plan = await full.plan({ timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "default-worker", node_count: 3 }] });
    console.log(JSON.stringify({ names, kind: error.kind, isNksError: error instanceof NksError,
      steps: plan.actions.map((a) => a.step) }));
  `;
  const out = execFileSync(DENO, ["eval", "--quiet", "--allow-read", "--allow-net=127.0.0.1", "--allow-env", script], {
    cwd: new URL(".", import.meta.url).pathname,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeout: 60000,
    encoding: "utf8",
  });
  assert.deepEqual(JSON.parse(out.trim().split("\n").pop()), {
    names: ["dev", "k8s-test", "prod"], kind: "not_found", isNksError: true, steps: ["autoscaler_off"],
  });
});
