// The tarball users install: what it holds, its manifest, and that a fresh project
// installed from it imports every export and reaches the emulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { install, run, bins } from "./tarball.mjs";
import { EMULATOR, IDENTITY, reset } from "./emulator.mjs";

test("the tarball holds the entries, the wasm, the schema, the CLI, README, licenses and changelog, and nothing else", async () => {
  const { files } = await install();
  // wasm-bindgen's copies of js/transport.mjs, js/answer.mjs, js/values.mjs and
  // js/intl.mjs, under a hash of the crate, for each of the two builds.
  const snippets = files.filter((f) => /^pkg(-policy)?\/snippets\/nks-edge-[0-9a-f]+\/js\/(transport|answer|values|intl)\.mjs$/.test(f));
  assert.equal(snippets.length, 8, files.join("\n"));
  assert.deepEqual(files.filter((f) => !snippets.includes(f)), [
    "CHANGELOG.md",
    "LICENSE-APACHE",
    "LICENSE-MIT",
    "README.md",
    "api.mjs",
    "browser.mjs",
    "cli.mjs",
    "core.mjs",
    "index.d.ts",
    "init.d.ts",
    "init.mjs",
    "node.mjs",
    "package.json",
    "pkg-policy/nks_edge.js",
    "pkg-policy/nks_edge_bg.wasm",
    "pkg/nks_edge.js",
    "pkg/nks_edge_bg.wasm",
    "policy.schema.json",
    "policy/api.mjs",
    "policy/browser.mjs",
    "policy/index.d.ts",
    "policy/init.d.ts",
    "policy/init.mjs",
    "policy/node.mjs",
    "policy/workerd.mjs",
    "transport.mjs",
    "workerd.mjs",
  ]);
});

test("the installed manifest is publishable: not private, licensed, with repository, keywords, bin and exports", async () => {
  const { project } = await install();
  const root = join(project, "node_modules", "nks-edge");
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.equal(manifest.private, undefined);
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.match(manifest.repository.url, /^git\+https:\/\//);
  assert.ok(manifest.keywords.includes("nks"));
  assert.deepEqual(manifest.bin, { "nks-edge": "cli.mjs" });
  assert.ok(bins(project).includes("nks-edge"), "npm linked the CLI");
  // The licenses and README are the repository's, copied at pack time.
  for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md"]) {
    const shipped = readFileSync(join(root, file), "utf8");
    assert.equal(shipped, readFileSync(new URL(`../../${file}`, import.meta.url), "utf8"), file);
  }
});

test("a fresh project imports the client, the policy entry, the schema and the manifest by their export names", async () => {
  await reset();
  const { project } = await install();
  const script = `
    import { NksClient, NksError } from "nks-edge";
    import * as policy from "nks-edge/policy";
    import schema from "nks-edge/policy.schema.json" with { type: "json" };
    import manifest from "nks-edge/package.json" with { type: "json" };
    const nks = new NksClient(JSON.parse(process.env.OPTIONS));
    const names = (await nks.listClusters()).map((c) => c.name).sort();
    const missing = await nks.getCluster("ghost").catch((e) => e);
    const full = new policy.NksClient(JSON.parse(process.env.OPTIONS));
    const plan = await full.plan({ timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "default-worker", node_count: 2 }] });
    console.log(JSON.stringify({ names, schema: schema.title, version: manifest.version,
      missing: missing instanceof NksError ? missing.kind : String(missing),
      plan: typeof nks.plan, planned: plan.actions.map((a) => [a.nodegroup, a.action, a.step]) }));`;
  const options = { endpoint: EMULATOR, identity: { ...IDENTITY, endpoint: EMULATOR } };
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: project,
    env: { ...process.env, OPTIONS: JSON.stringify(options) },
  });
  assert.deepEqual(JSON.parse(stdout), {
    names: ["dev", "k8s-test", "prod"],
    schema: "nks-edge scaling policy (SCALE_POLICY)",
    version: JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version,
    missing: "not_found",
    plan: "undefined",
    planned: [["default-worker", "set_autoscale", "autoscaler_off"]],
  });
});
