// The package in headless Chromium: a plain-ESM page imports "nks-edge" (an import map
// points it at the package's browser entry) and lists the emulator's clusters across
// origins (CORS); the test reads the result from the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { EMULATOR, IDENTITY, reset } from "./emulator.mjs";

const PACKAGE = new URL("./node_modules/nks-edge/", import.meta.url);
const TYPES = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

const page = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{"imports": {"nks-edge": "/nks-edge/browser.mjs"}}</script>
<pre id="out">loading</pre>
<script type="module">
  import { NksClient, NksError } from "nks-edge";
  const out = document.querySelector("#out");
  try {
    const nks = new NksClient({ endpoint: ${JSON.stringify(EMULATOR)},
      identity: { ...${JSON.stringify(IDENTITY)}, endpoint: ${JSON.stringify(EMULATOR)} } });
    const clusters = await nks.listClusters();
    let missing = "";
    try { await nks.getCluster("ghost"); } catch (e) { missing = e instanceof NksError ? e.kind : "not an NksError"; }
    out.textContent = JSON.stringify({ clusters: clusters.map((c) => c.name).sort(), missing });
  } catch (e) {
    out.textContent = "failed: " + e;
  }
</script>`;

let server;
let browser;
let profile;

before(async () => {
  await reset();
  server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html" }).end(page);
      return;
    }
    const file = path.startsWith("/nks-edge/") ? new URL(path.slice("/nks-edge/".length), PACKAGE) : null;
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  profile = mkdtempSync(join(tmpdir(), "nks-chromium-"));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("a page lists the emulator's clusters", async () => {
  const tab = await browser.newPage();
  const problems = [];
  tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  tab.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  tab.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  await tab
    .waitForFunction(() => document.querySelector("#out").textContent !== "loading", null, { timeout: 20000 })
    .catch((e) => assert.fail(`${e.message}\n${problems.join("\n")}`));
  const text = await tab.textContent("#out");
  assert.deepEqual(JSON.parse(text), { clusters: ["dev", "k8s-test", "prod"], missing: "not_found" });
});
