// examples/ run as printed, against the emulator: the Node script and the browser page
// from a project with the installed tarball, the user's own Worker bundled by wrangler
// and run in workerd (Miniflare), and the Rust program through cargo (feature native).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { install, run } from "./tarball.mjs";
import { EMULATOR, IDENTITY, reset, apiCalls, requests, SIGNED_IN } from "./emulator.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLES = join(ROOT, "examples");
const DEMO_POLICY = join(ROOT, "js/demo/policy.json");
/** A weekday in business hours: the demo policy then changes the seed's bounds. */
const THURSDAY_10 = "2026-11-26T10:00:00+09:00";
let project;

before(async () => {
  ({ project } = await install());
});

test("examples/node/plan.mjs lists the clusters and plans the policy", async () => {
  await reset();
  copyFileSync(join(EXAMPLES, "node/plan.mjs"), join(project, "plan.mjs"));
  // Thursday 10:00 in Seoul, business hours (off hours, the seed already has the
  // off-hours bounds: an unpinned instant may have nothing to plan).
  const { stdout } = await run(process.execPath, ["plan.mjs", DEMO_POLICY, THURSDAY_10], {
    cwd: project,
    env: { PATH: process.env.PATH, ...SIGNED_IN },
  });
  const lines = stdout.trim().split("\n");
  assert.deepEqual(lines.filter((l) => l.includes("\t")).map((l) => l.split("\t")[0]).sort(), ["dev", "k8s-test", "prod"]);
  assert.ok(lines.includes("prod/default-worker: set_autoscale (rule business-hours) planned"), stdout);
  assert.deepEqual((await apiCalls()).filter((c) => !c.startsWith("GET ")), [], "a plan only reads");
});

test("examples/worker: the user's Worker, bundled by wrangler, answers the clusters in workerd", async () => {
  await reset();
  const dir = join(project, "my-worker");
  mkdirSync(dir, { recursive: true });
  for (const file of ["worker.mjs", "wrangler.toml"]) copyFileSync(join(EXAMPLES, "worker", file), join(dir, file));
  const wrangler = join(ROOT, "js/node_modules/.bin/wrangler");
  await run(wrangler, ["deploy", "--dry-run", "--outdir", "dist"], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const dist = join(dir, "dist");
  assert.ok(readdirSync(dist).some((f) => f.endsWith(".wasm")), "wrangler bundled the wasm");
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dist, "worker.js"),
    modulesRoot: dist,
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-20",
    bindings: SIGNED_IN,
  });
  try {
    const response = await mf.dispatchFetch("http://localhost/");
    assert.equal(response.status, 200);
    const clusters = await response.json();
    assert.deepEqual(clusters.map((c) => c.name).sort(), ["dev", "k8s-test", "prod"]);
    // A second request reuses the isolate's client and its token.
    assert.equal((await mf.dispatchFetch("http://localhost/")).status, 200);
    assert.equal((await requests()).filter((r) => r.path === "/v2.0/tokens").length, 1, "one Identity request");
    const wrong = new Miniflare({
      modules: true,
      scriptPath: join(dist, "worker.js"),
      modulesRoot: dist,
      modulesRules: [{ type: "ESModule", include: ["**/*.js"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-20",
      bindings: { ...SIGNED_IN, NHN_API_PASSWORD: "wrong" },
    });
    try {
      const refused = await wrong.dispatchFetch("http://localhost/");
      assert.equal(refused.status, 502);
      assert.equal((await refused.json()).error, "unauthorized");
    } finally {
      await wrong.dispose();
    }
  } finally {
    await mf.dispose();
  }
});

test("examples/browser/index.html lists the clusters after the form is sent", async () => {
  await reset();
  const page = join(EXAMPLES, "browser/index.html");
  const TYPES = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const file = path === "/" ? page : join(project, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.fill("[name=endpoint]", EMULATOR);
    await tab.fill("[name=identityUrl]", EMULATOR);
    await tab.fill("[name=tenantId]", IDENTITY.tenantId);
    await tab.fill("[name=username]", IDENTITY.username);
    await tab.fill("[name=password]", IDENTITY.password);
    await tab.click("button");
    await tab.waitForFunction(() => document.querySelectorAll("#clusters tbody tr").length > 0 || document.querySelector("#error").textContent, null, { timeout: 20000 });
    assert.equal(await tab.textContent("#error"), "");
    const names = await tab.$$eval("#clusters tbody tr td:first-child", (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(names.sort(), ["dev", "k8s-test", "prod"]);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test("examples/rust/list.rs (cargo, feature native) lists the clusters and plans the policy", async () => {
  await reset();
  const list = async (...args) => {
    const { stdout } = await run("cargo", ["run", "--quiet", "--example", "list", "--features", "native", "--", EMULATOR, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...SIGNED_IN },
      maxBuffer: 16 * 1024 * 1024,
    });
    const [table, json] = [stdout.slice(0, stdout.indexOf("{")), stdout.slice(stdout.indexOf("{"))];
    assert.deepEqual(table.trim().split("\n").map((l) => l.split("\t")[0]).sort(), ["dev", "k8s-test", "prod"]);
    const report = JSON.parse(json);
    assert.equal(report.dry_run, true);
    return [report, json];
  };
  // As the README prints it (the demo policy, now), then at a pinned instant.
  await list();
  const [report, json] = await list(DEMO_POLICY, THURSDAY_10);
  assert.equal(report.at, THURSDAY_10);
  assert.ok(report.actions.some((a) => a.cluster === "prod" && a.nodegroup === "default-worker" && a.result === "planned"), json);
  assert.deepEqual((await apiCalls()).filter((c) => !c.startsWith("GET ")), [], "a plan only reads");
});
