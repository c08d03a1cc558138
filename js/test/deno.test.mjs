// The package in Deno (the runtime from the `deno` npm package): a script imports
// "nks-edge" from this project's node_modules and lists the emulator's clusters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { EMULATOR, IDENTITY, reset } from "./emulator.mjs";

const DENO = new URL("node_modules/.bin/deno", import.meta.url).pathname;

test("Deno lists the emulator's clusters", async () => {
  await reset();
  const script = `
    import { NksClient, NksError } from "nks-edge";
    const nks = new NksClient({ endpoint: "${EMULATOR}", identity: { ...${JSON.stringify(IDENTITY)}, endpoint: "${EMULATOR}" } });
    const names = (await nks.listClusters()).map((c) => c.name).sort();
    const error = await nks.getCluster("ghost").catch((e) => e);
    console.log(JSON.stringify({ names, kind: error.kind, isNksError: error instanceof NksError }));
  `;
  const out = execFileSync(DENO, ["eval", "--quiet", "--allow-read", "--allow-net=127.0.0.1", "--allow-env", script], {
    cwd: new URL(".", import.meta.url).pathname,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeout: 60000,
    encoding: "utf8",
  });
  assert.deepEqual(JSON.parse(out.trim().split("\n").pop()), { names: ["dev", "k8s-test", "prod"], kind: "not_found", isNksError: true });
});
