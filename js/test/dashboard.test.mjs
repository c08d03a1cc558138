// The dashboard in headless Chromium, served as the Worker serves it: workerd
// (Miniflare) with wrangler.toml's entry and [assets] directory, its routes and gateway
// against the emulator. The page lists clusters through the gateway, draws the policy's
// week, shows node-hours, a plan and the kept tick reports, explains refused keys, and
// raises no script error. Screenshots (desktop and phone, light and dark) are written to
// target/screenshots/ for a person to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { root, wrangler, workerd } from "./workerd.mjs";
import { chromium } from "playwright-core";
import { reset, seed, SIGNED_IN } from "./emulator.mjs";

const assets = /^\[assets\]\s*\n(?:[^[\n]*\n)*?directory\s*=\s*"([^"]+)"/m.exec(wrangler)[1];
const SHOTS = new URL("target/screenshots/", root);

// The full key as `openssl rand -base64` makes them: `+`, `/` and `=` survive the `#key=` fragment.
const KEYS = { full: "dash+key/0123456789abcdef==", reader: "reader-key-0123456789", wrong: "not-a-key-at-all" };
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const POLICY = {
  timezone: "Asia/Seoul",
  rules: [
    { name: "business-hours", cluster: "prod", nodegroup: "default-worker",
      when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
    { name: "off-hours", cluster: "prod", nodegroup: "default-worker", autoscale: { min: 1, max: 3 } },
  ],
};

const logs = [];
let mf;
let base;
let browser;

before(async () => {
  await reset();
  mf = workerd({
    host: "127.0.0.1",
    port: 0,
    assets: { directory: new URL(assets, root).pathname, routerConfig: { has_user_worker: true } },
    kvNamespaces: ["REPORTS"],
    bindings: {
      ...SIGNED_IN,
      CORS_ORIGINS: "",
      DRY_RUN: "true",
      SCALE_POLICY: JSON.stringify(POLICY),
      ACCESS_KEYS: JSON.stringify([
        { name: "dashboard", sha256: sha256(KEYS.full), scopes: ["read", "plan"], clusters: ["*"] },
        { name: "reader", sha256: sha256(KEYS.reader), scopes: ["read"], clusters: ["prod"] },
      ]),
    },
  }, logs);
  base = new URL(await mf.ready);
  // One tick (dry run: planned, nothing applied), so that a report is kept.
  const worker = await mf.getWorker();
  await worker.scheduled({ scheduledTime: new Date("2026-11-26T00:00:00Z"), cron: "*/5 * * * *" });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await mf?.dispose();
});

/** A tab in a fresh context, recording script errors, failed requests, every URL and
 *  the most gateway requests (`/nks/…`) the page had in flight at once. */
async function open({ width = 1280, height = 900, colorScheme = "light", hash = "", prepare = async () => {} } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const tab = await context.newPage();
  const problems = [];
  const urls = [];
  const gateway = { now: 0, most: 0, count: 0 };
  const isGateway = (r) => new URL(r.url()).pathname.startsWith("/nks/");
  tab.on("request", (r) => {
    if (!isGateway(r)) return;
    gateway.count++;
    gateway.most = Math.max(gateway.most, ++gateway.now);
  });
  for (const done of ["requestfinished", "requestfailed"]) tab.on(done, (r) => isGateway(r) && gateway.now--);
  tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  tab.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  tab.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  tab.on("request", (r) => urls.push(r.url()));
  tab.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${new URL(r.url()).pathname}`));
  await prepare(tab);
  await tab.goto(new URL(`/${hash}`, base).href);
  return { context, tab, problems, urls, gateway };
}

/** Waits (at most 30 s, polling) until `check()` holds; fails naming `what`. */
async function until(check, what) {
  const deadline = Date.now() + 30000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within 30 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function ready(tab, problems) {
  await tab
    .waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 30000 })
    .catch((e) => assert.fail(`${e.message}\n${problems.join("\n")}`));
}

test("GET / is the dashboard, from the assets directory", async () => {
  const response = await fetch(new URL("/", base));
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /text\/html/);
  assert.match(await response.text(), /<title>nks-edge dashboard<\/title>/);
  const wasm = await fetch(new URL("/nks-edge/pkg-policy/nks_edge_bg.wasm", base));
  assert.equal(wasm.status, 200, "make wasm copies the package's files beside the page");
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  // The Worker's routes still answer beside the assets.
  assert.equal((await fetch(new URL("/healthz", base))).status, 200);
});

test("the dashboard's files carry a content security policy (js/dashboard/_headers), which is not served itself", async () => {
  for (const path of ["/", "/dashboard.mjs", "/nks-edge/pkg-policy/nks_edge_bg.wasm"]) {
    const response = await fetch(new URL(path, base));
    const directives = Object.fromEntries(
      (response.headers.get("content-security-policy") ?? "").split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
    );
    assert.deepEqual(directives["default-src"], ["'none'"], path);
    assert.deepEqual(directives["script-src"], ["'self'", "'wasm-unsafe-eval'"], path);
    assert.deepEqual(directives["connect-src"], ["'self'"], path);
    assert.deepEqual(directives["frame-ancestors"], ["'none'"], path);
    // The calendar's SVG has one <style>, allowed by its hash: a change to the style
    // needs the new hash in _headers (the page's tests would see the style refused).
    const { calendar } = await import("../policy/node.mjs");
    const svg = calendar(POLICY).svg;
    const styles = [...svg.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`);
    assert.deepEqual(directives["style-src"], ["'self'", ...styles], `${path}: js/dashboard/_headers allows the calendar's style`);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
  }
  const file = await fetch(new URL("/_headers", base));
  assert.doesNotMatch(await file.text(), /Content-Security-Policy/);
});

test("GET /v1/policy answers the policy the page draws (scope plan)", async () => {
  const get = (key) => fetch(new URL("/v1/policy", base), { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const response = await get(KEYS.full);
  assert.equal(response.status, 200, "the dashboard draws the week of the policy this route answers");
  assert.deepEqual(await response.json(), POLICY);
  assert.equal((await get(null)).status, 401);
  assert.equal((await get(KEYS.reader)).status, 403);
});

test("with a key it lists clusters, draws the week, shows node-hours, a plan and reports", async () => {
  const { context, tab, problems, urls } = await open({ hash: `#key=${KEYS.full}` });
  await ready(tab, problems);

  // The key left the URL, is kept for the tab only, and never travelled in a URL.
  assert.equal(await tab.evaluate(() => location.hash), "");
  assert.equal(await tab.evaluate(() => sessionStorage.getItem("nks-edge.accessKey")), KEYS.full);
  assert.equal(await tab.evaluate(() => localStorage.length), 0);
  assert.deepEqual(urls.filter((u) => u.includes(KEYS.full)), []);

  // Clusters with status and version; node groups with size and autoscaler bounds.
  const clusters = await tab.$$eval("#clusters [data-cluster]", (cards) => cards.map((c) => c.dataset.cluster));
  assert.deepEqual(clusters, ["dev", "k8s-test", "prod"]);
  const prod = await tab.textContent('[data-cluster="prod"]');
  assert.match(prod, /_COMPLETE/);
  assert.match(prod, /v1\.\d+/);
  const worker = await tab.textContent('[data-cluster="prod"] [data-nodegroup="default-worker"]');
  assert.match(worker, /^default-worker\d+(on, \d+–\d+|off)$/);

  // The policy's week, drawn by the package's wasm.
  const svg = await tab.innerHTML("#calendar");
  assert.match(svg, /^<svg /);
  assert.match(svg, /Week of \d{4}-\d{2}-\d{2} · Asia\/Seoul · 168 h/);
  assert.match(svg, /business-hours: autoscale 3–10 \(on\)/);
  assert.match(await tab.inputValue("#week"), /^\d{4}-\d{2}-\d{2}$/);
  // Node-hours: 52.5 h at 10 and 115.5 h at 3 of 168 h at 10.
  const hours = await tab.textContent('#node-hours [data-nodegroup="prod/default-worker"]');
  assert.match(hours, /872 node-h/);
  assert.match(hours, /1,680 node-h \(10 × 168 h\)/);
  assert.match(hours, /48%/);

  // Another week: the week before Christmas week draws the same hours.
  await tab.fill("#week", "2026-12-24");
  await tab.dispatchEvent("#week", "change");
  assert.equal(await tab.inputValue("#week"), "2026-12-21");
  await tab.click("#week-next");
  assert.equal(await tab.inputValue("#week"), "2026-12-28");
  // Enter in the field submits its form where a browser submits implicitly (the HTML
  // spec; Chromium does not for dates, so the test submits as such a browser would):
  // the week typed is drawn (set without events, as typing leaves it), on the same page.
  await tab.$eval("#week", (input) => { input.value = "2027-01-06"; });
  await tab.$eval("#week-form", (form) => form.requestSubmit());
  await tab.waitForFunction(() => document.querySelector("#week").value === "2027-01-04", null, { timeout: 5000 })
    .catch(() => assert.fail(`submitting the week's form did not draw the week: ${problems.join("\n")}`));
  assert.equal(await tab.evaluate(() => location.search), "");

  // The kept tick report.
  const reports = await tab.textContent("#reports");
  assert.match(reports, /Tick at 2026-11-26T09:00:00\+09:00 \(dry run\)/);
  assert.match(reports, /default-worker/);

  // The plan at an instant: Thursday 10:00 in Seoul is business hours.
  await tab.evaluate(() => {
    document.querySelector("#plan-at").value = "";
  });
  const at = await tab.evaluate(() => {
    const d = new Date("2026-11-26T01:00:00Z");
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  });
  await tab.fill("#plan-at", at);
  await tab.click("#plan-form button");
  await tab.waitForSelector("#plan .report", { timeout: 20000 });
  const plan = await tab.textContent("#plan");
  assert.match(plan, /Plan at 2026-11-26T10:00:00\+09:00/);
  assert.match(plan, /business-hours/);

  assert.deepEqual(problems, []);
  await tab.screenshot({ path: new URL("dashboard-desktop.png", SHOTS).pathname, fullPage: true });
  await context.close();
});

test("at a phone's width and in dark mode, nothing overflows the page", async () => {
  for (const [width, colorScheme] of [[390, "dark"], [390, "light"], [1280, "dark"]]) {
    const { context, tab, problems } = await open({ width, height: 844, colorScheme, hash: `#key=${KEYS.full}` });
    await ready(tab, problems);
    const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window (${width}px)`);
    const background = await tab.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, colorScheme === "dark" ? "rgb(13, 17, 23)" : "rgb(255, 255, 255)");
    assert.deepEqual(problems, []);
    const name = width < 600 ? `dashboard-phone-${colorScheme}.png` : `dashboard-desktop-${colorScheme}.png`;
    await tab.screenshot({ path: new URL(name, SHOTS).pathname, fullPage: true });
    await context.close();
  }
});

test("a wrong key and a key without the plan scope are explained in words", async () => {
  const wrong = await open({ hash: `#key=${KEYS.wrong}` });
  await ready(wrong.tab, wrong.problems);
  assert.match(await wrong.tab.textContent("#clusters-error"), /did not accept this access key \(401\)/);
  assert.match(await wrong.tab.textContent("#reports-error"), /\(401\)/);
  assert.ok(wrong.problems.every((p) => /status of 401|HTTP 401/.test(p)), wrong.problems.join("\n"));
  await wrong.context.close();

  const reader = await open({ hash: `#key=${KEYS.reader}` });
  await ready(reader.tab, reader.problems);
  const clusters = await reader.tab.$$eval("#clusters [data-cluster]", (cards) => cards.map((c) => c.dataset.cluster));
  assert.deepEqual(clusters, ["prod"], "the key's clusters only");
  assert.match(await reader.tab.textContent("#reports-error"), /may not do this \(403\): it needs the "plan" scope/);
  assert.match(await reader.tab.textContent("#week-error"), /\(403\)/);
  await reader.context.close();
});

test("a pasted policy is drawn; a broken one is an error naming the field", async () => {
  const { context, tab, problems } = await open({ hash: `#key=${KEYS.full}` });
  await ready(tab, problems);
  await tab.click("#other-policy summary");
  const berlin = {
    timezone: "Europe/Berlin",
    rules: [{ name: "night <owl>", cluster: "c", nodegroup: "w", when: { from: "22:00", to: "06:00" }, node_count: 2 },
      { name: "day", cluster: "c", nodegroup: "w", autoscale: { max: 6 } }],
  };
  await tab.fill("#policy-text", JSON.stringify(berlin));
  await tab.fill("#week", "2026-03-29");
  await tab.click("#policy-form button");
  const svg = await tab.innerHTML("#calendar");
  assert.match(svg, /Europe\/Berlin · 167 h/);
  assert.match(svg, /night &lt;owl&gt;: 2 nodes/);
  const legend = await tab.$$eval("#calendar svg text", (t) => t.map((n) => n.textContent).filter((n) => n.includes("<owl>")));
  assert.deepEqual(legend, ["night <owl>: 2 nodes (autoscaler off)"]);
  await tab.fill("#policy-text", JSON.stringify({ ...berlin, rules: [{ ...berlin.rules[1], when: { days: "Mon-Fry" } }] }));
  await tab.click("#policy-form button");
  assert.match(await tab.textContent("#week-error"), /rules\[0\]\.when\.days: "Mon-Fry" is not a day range/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("no key appears in the Worker's log lines", () => {
  assert.ok(logs.length > 0);
  for (const key of Object.values(KEYS)) {
    assert.deepEqual(logs.filter((line) => line.includes(key)), [], key);
  }
});

test("a key entered before the page's script is ready goes nowhere; once ready, it opens the dashboard", async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const urls = [];
  tab.on("request", (r) => urls.push(r.url()));
  // The wasm (and so the script that handles the form) is held back.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await tab.route("**/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await tab.goto(new URL("/", base).href, { waitUntil: "commit" });
  await tab.waitForSelector("#key");
  await tab.fill("#key", KEYS.full);
  await tab.press("#key", "Enter");
  await tab.click("#open", { force: true, timeout: 1000 }).catch(() => {});
  assert.ok(await tab.$eval("#open", (b) => b.disabled), "the submit button waits for the script");
  release();
  await tab.waitForFunction(() => !document.querySelector("#open").disabled, null, { timeout: 30000 });
  await tab.fill("#key", KEYS.full);
  await tab.press("#key", "Enter");
  await ready(tab, []);
  assert.ok(urls.every((u) => !u.includes("key=") && !u.includes(KEYS.full)), urls.join("\n"));
  assert.ok(!tab.url().includes("key"), tab.url());
  await context.close();
});

test("a fleet's cards are drawn at once and filled with at most six gateway requests in flight", async () => {
  // 20 clusters of 3 node groups: the list, 20 node group lists and 60 autoscaler reads.
  const names = Array.from({ length: 20 }, (_, c) => `fleet-${String(c).padStart(2, "0")}`);
  await seed({ clusters: names.map((name) => ({ name, nodegroups: ["default-worker", "group-1", "group-2"].map((g) => ({ name: g, node_count: 1 })) })) });
  try {
    const { context, tab, problems, gateway } = await open({ hash: `#key=${KEYS.full}` });
    await ready(tab, problems);
    const cards = await tab.$$eval("#clusters [data-cluster]", (all) => all.map((c) => [c.dataset.cluster, c.querySelectorAll("[data-nodegroup]").length]));
    assert.deepEqual(cards, names.map((name) => [name, 3]));
    assert.equal(gateway.count, 81, "every read was sent");
    assert.ok(gateway.most <= 6, `${gateway.most} gateway requests in flight at once`);
    assert.deepEqual(problems, []);
    await context.close();

    // Forgotten while its node group reads are held: the six sent finish, the rest
    // queued behind them are never sent.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const hold = (tab) =>
      tab.route("**/nks/v1/clusters/*/nodegroups**", async (route) => {
        await held;
        await route.continue();
      });
    const again = await open({ hash: `#key=${KEYS.full}`, prepare: hold });
    await until(() => again.gateway.now === 6, "six node group reads held");
    const sent = again.gateway.count;
    await again.tab.click("#forget");
    release();
    await until(() => again.gateway.now === 0, "the held reads finished");
    await again.tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    assert.equal(again.gateway.count, sent, "no read of the forgotten key after Forget key");
    assert.ok(sent < 81, `${sent} reads had been sent`);
    await again.context.close();
  } finally {
    await reset();
  }
});

test("forgetting the key clears what it showed; a load of an earlier key writes nothing", async () => {
  const { context, tab, problems } = await open({ hash: `#key=${KEYS.full}` });
  await ready(tab, problems);
  await tab.click("#forget");
  for (const id of ["clusters", "calendar", "reports", "plan"]) {
    assert.equal(await tab.$eval(`#${id}`, (n) => n.childElementCount), 0, id);
  }
  assert.equal(await tab.$eval("#node-hours", (t) => t.tBodies[0].rows.length), 0);
  assert.equal(await tab.inputValue("#policy-text"), "");

  // A plan asked for, then the key forgotten before it answers: it is not drawn.
  await tab.fill("#key", KEYS.full);
  await tab.press("#key", "Enter");
  await ready(tab, problems);
  let answer;
  const planned = new Promise((resolve) => (answer = resolve));
  await tab.route("**/v1/plan*", async (route) => {
    await planned;
    await route.continue();
  });
  await tab.click("#plan-form button");
  const plan = tab.waitForEvent("requestfinished", (r) => new URL(r.url()).pathname === "/v1/plan");
  await tab.click("#forget");
  answer();
  await plan;
  await tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
  assert.equal(await tab.$eval("#plan", (n) => n.childElementCount), 0, "the forgotten key's plan");

  // The full key's cluster list is held back; meanwhile the reader key is opened.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let first = true;
  await tab.route("**/nks/v1/clusters", async (route) => {
    if (first) {
      first = false;
      await held;
    }
    await route.continue();
  });
  await tab.fill("#key", KEYS.full);
  await tab.press("#key", "Enter");
  await tab.waitForFunction(() => document.body.dataset.state === "loading");
  await tab.click("#forget");
  await tab.fill("#key", KEYS.reader);
  await tab.press("#key", "Enter");
  await tab.waitForFunction(() => document.querySelectorAll("#clusters [data-cluster] tr[data-nodegroup]").length > 0, null, { timeout: 30000 });
  const late = tab.waitForEvent("requestfinished", (r) => new URL(r.url()).pathname === "/nks/v1/clusters");
  release();
  // The full key's answer arrives late (and is read: the page's next task), and is not drawn.
  await late;
  await tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
  const clusters = await tab.$$eval("#clusters [data-cluster]", (cards) => cards.map((c) => c.dataset.cluster));
  assert.deepEqual(clusters, ["prod"], "the reader's clusters only");
  assert.ok(problems.every((p) => /status of 403|HTTP 403/.test(p)), problems.join("\n"));
  await context.close();
});
