// A browser app bundled with esbuild from the installed tarball, in headless Chromium.
// esbuild does not rewrite `new URL("…", import.meta.url)`: the app imports
// `nks-edge/init` and the wasm through the `file` loader (esbuild copies it into the
// build and gives its URL); `nks-edge/policy/init` likewise. An app that bundles the plain entry without copying the
// wasm gets an error that says so, not a page stuck loading.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { install } from "./tarball.mjs";
import { EMULATOR, IDENTITY, reset } from "./emulator.mjs";

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

const app = (entry, setup, extra = "{}") => `
import { NksClient, NksError } ${entry};
${setup}
const out = document.querySelector("#out");
try {
  const nks = new NksClient({ endpoint: ${JSON.stringify(EMULATOR)},
    identity: { ...${JSON.stringify(IDENTITY)}, endpoint: ${JSON.stringify(EMULATOR)} } });
  const clusters = await nks.listClusters();
  const missing = await nks.getCluster("ghost").catch((e) => (e instanceof NksError ? e.kind : String(e)));
  out.textContent = JSON.stringify({ clusters: clusters.map((c) => c.name).sort(), missing, ...${extra} });
} catch (e) {
  out.textContent = "failed: " + e;
}`;

const APPS = {
  init: app(
    'from "nks-edge/init";\nimport init from "nks-edge/init";\nimport wasm from "nks-edge/nks_edge_bg.wasm"',
    "await init(wasm);",
  ),
  policy: app(
    'from "nks-edge/policy/init";\nimport init, { calendar } from "nks-edge/policy/init";\nimport wasm from "nks-edge/policy/nks_edge_bg.wasm"',
    "await init(wasm);",
    `{ week: calendar({ timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "default-worker", node_count: 2 }] }, "2026-11-25").week,
       plan: (await nks.plan({ timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "default-worker", node_count: 2 }] })).actions.length }`,
  ),
  plain: app('from "nks-edge"', ""),
};

let dist;
let server;
let browser;

before(async () => {
  const { project } = await install();
  dist = mkdtempSync(join(tmpdir(), "nks-edge-esbuild-"));
  for (const [name, source] of Object.entries(APPS)) writeFileSync(join(project, `${name}.mjs`), source);
  await build({
    absWorkingDir: project,
    entryPoints: Object.keys(APPS).map((name) => `${name}.mjs`),
    bundle: true,
    format: "esm",
    platform: "browser",
    outdir: dist,
    loader: { ".wasm": "file" },
    logLevel: "silent",
  });
  server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const name = path.slice(1);
    if (name in APPS) {
      const html = `<!doctype html><meta charset="utf-8"><pre id="out">loading</pre><script type="module" src="/${name}.js"></script>`;
      response.writeHead(200, { "content-type": "text/html" }).end(html);
      return;
    }
    try {
      const body = await readFile(join(dist, name.replaceAll("/", "")));
      response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** Opens `/name`; answers the page's #out text once it leaves "loading" and the
 *  page's errors, or the errors if it never does. */
async function open(name) {
  const tab = await browser.newPage();
  const errors = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  await tab.goto(`http://127.0.0.1:${server.address().port}/${name}`);
  const done = tab
    .waitForFunction(() => document.querySelector("#out").textContent !== "loading", null, { timeout: 20000 })
    .catch((e) => e);
  const failed = new Promise((resolve) => tab.on("pageerror", resolve));
  await Promise.race([done, failed]);
  const text = await tab.textContent("#out");
  await tab.close();
  await done;
  return { text, errors };
}

test("esbuild copies the wasm as a file asset; the bundled page lists the emulator's clusters", async () => {
  await reset();
  const assets = readdirSync(dist);
  // Two wasm files: the main entry's and the policy entry's.
  assert.equal(assets.filter((f) => /^nks_edge_bg-[A-Z0-9]+\.wasm$/.test(f)).length, 2, `the build holds ${assets}`);
  const { text, errors } = await open("init");
  assert.deepEqual(errors, []);
  assert.deepEqual(JSON.parse(text), { clusters: ["dev", "k8s-test", "prod"], missing: "not_found" });
});

test("nks-edge/policy bundled the same way plans and draws a week in the page", async () => {
  await reset();
  const { text, errors } = await open("policy");
  assert.deepEqual(errors, []);
  assert.deepEqual(JSON.parse(text), { clusters: ["dev", "k8s-test", "prod"], missing: "not_found", week: "2026-11-23", plan: 1 });
});

test("a bundle of the plain entry without its wasm fails with an error that names the URL and the remedy", async () => {
  const { text, errors } = await open("plain");
  assert.equal(text, "loading");
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0], /^nks-edge could not load its WebAssembly from http:\/\/127\.0\.0\.1:\d+\/pkg\/nks_edge_bg\.wasm \(/);
  assert.match(errors[0], /nks-edge\/init/);
});
