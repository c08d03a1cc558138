// The Worker in workerd (Miniflare), loaded from wrangler.toml's entry and configured
// for the emulator: routes, keys and scopes, CORS, a cron event, and logs without secrets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { root, wrangler, workerd } from "./workerd.mjs";
import { EMULATOR, IDENTITY, reset, seed, faults, clearFaults, requests, clearRequests, SIGNED_IN } from "./emulator.mjs";

const KEYS = { ci: "ci-key-0123456789", viewer: "viewer-key-abcdef", other: "not-a-key" };
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const ORIGIN = "https://console.example.com";
const POLICY = {
  timezone: "Asia/Seoul",
  rules: [
    { name: "business-hours", cluster: "prod", nodegroup: ["default-worker", "batch"],
      when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
    { name: "off-hours", cluster: "prod", nodegroup: ["default-worker", "batch"], autoscale: { min: 1, max: 3 } },
  ],
};

const logs = [];
let mf;

before(async () => {
  await reset();
  mf = workerd({
    bindings: {
      ...SIGNED_IN,
      CORS_ORIGINS: ORIGIN,
      DRY_RUN: "false",
      SCALE_POLICY: JSON.stringify(POLICY),
      ACCESS_KEYS: JSON.stringify([
        { name: "ci", sha256: sha256(KEYS.ci), scopes: ["kubeconfig", "plan", "reconcile"], clusters: ["*"] },
        { name: "viewer", sha256: sha256(KEYS.viewer), scopes: ["kubeconfig"], clusters: ["k8s-test"] },
      ]),
    },
  }, logs);
  await mf.ready;
});

after(() => mf?.dispose());

const get = (path, key, init = {}) =>
  mf.dispatchFetch(`http://worker.test${path}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), origin: ORIGIN, ...init.headers },
  });

test("healthz", async () => {
  const response = await get("/healthz");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.ok, true);
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
});

test("a kubeconfig with a valid key is the emulator's, not cached", async () => {
  const response = await get("/v1/clusters/prod/kubeconfig", KEYS.ci);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/yaml");
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal(response.headers.get("access-control-allow-origin"), ORIGIN);
  const token = await (await fetch(`${EMULATOR}/v2.0/tokens`, {
    method: "POST",
    body: JSON.stringify({ auth: { tenantId: IDENTITY.tenantId, passwordCredentials: { username: IDENTITY.username, password: IDENTITY.password } } }),
  })).json();
  const direct = await (await fetch(`${EMULATOR}/v1/clusters/prod/config`, { headers: { "x-auth-token": token.access.token.id } })).json();
  assert.equal(await response.text(), direct.config);
});

test("keys, scopes and clusters", async () => {
  for (const [key, path, status, kind] of [
    [null, "/v1/clusters/prod/kubeconfig", 401, "unauthorized"],
    [KEYS.other, "/v1/clusters/prod/kubeconfig", 401, "unauthorized"],
    [KEYS.viewer, "/v1/clusters/prod/kubeconfig", 403, "forbidden"],
    [KEYS.viewer, "/v1/plan", 403, "forbidden"],
  ]) {
    const response = await get(path, key);
    assert.equal(response.status, status, `${key} ${path}`);
    assert.equal((await response.json()).error.kind, kind);
  }
  assert.equal((await get("/v1/clusters/k8s-test/kubeconfig", KEYS.viewer)).status, 200);
});

test("the isolate reuses its Identity token across requests", async () => {
  await clearRequests();
  for (const cluster of ["prod", "k8s-test", "dev"]) {
    assert.equal((await get(`/v1/clusters/${cluster}/kubeconfig`, KEYS.ci)).status, 200);
  }
  const seen = (await requests()).map((r) => r.path);
  assert.equal(seen.filter((p) => p === "/v2.0/tokens").length, 0, "no new token");
  assert.equal(seen.length, 3);
});

test("an unknown cluster is a 404 in JSON", async () => {
  const response = await get("/v1/clusters/ghost/kubeconfig", KEYS.ci);
  assert.equal(response.status, 404);
  assert.match(response.headers.get("content-type"), /application\/json/);
  const { error } = await response.json();
  assert.equal(error.kind, "not_found");
  assert.equal(error.title, "Cluster ghost could not be found.");
});

test("a CORS preflight", async () => {
  const response = await get("/v1/clusters/prod/kubeconfig", null, {
    method: "OPTIONS",
    headers: { "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), ORIGIN);
  assert.equal(response.headers.get("access-control-allow-headers"), "authorization");
  assert.match(response.headers.get("access-control-allow-methods"), /GET/);
});

test("a request the Worker cannot read is a 500 an allowed origin's page can read", async () => {
  // wrangler.toml's Worker, handed a request whose body fails mid-read (as when the
  // client goes away): its own 500, with CORS headers for an allowed origin only.
  const broken = workerd({
    script: `import worker from "./worker.mjs";
export default {
  fetch(request, env) {
    const body = new ReadableStream({ pull(controller) { controller.error(new Error("the client went away")); } });
    return worker.fetch(new Request(request.url, { method: "POST", headers: request.headers, body }), env);
  },
};`,
    scriptPath: new URL("js/broken-body.mjs", root).pathname,
    bindings: { ...SIGNED_IN, CORS_ORIGINS: ORIGIN },
  });
  try {
    const allowed = await broken.dispatchFetch("http://worker.test/v1/reconcile", { headers: { origin: ORIGIN } });
    assert.equal(allowed.status, 500);
    assert.equal((await allowed.json()).error.kind, "internal");
    assert.equal(allowed.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal(allowed.headers.get("vary"), "Origin");
    const other = await broken.dispatchFetch("http://worker.test/v1/reconcile", { headers: { origin: "https://elsewhere.example" } });
    assert.equal(other.status, 500);
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    await other.arrayBuffer();
  } finally {
    await broken.dispose();
  }
});

test("plan over HTTP, then a scheduled event that reconciles", async () => {
  const plan = await (await get("/v1/plan?at=2026-11-26T09:00:00%2B09:00", KEYS.ci)).json();
  assert.equal(plan.at, "2026-11-26T09:00:00+09:00");
  assert.deepEqual(plan.actions.map((a) => a.result), ["planned", "planned"]);

  const worker = await mf.getWorker();
  const result = await worker.scheduled({ scheduledTime: new Date("2026-11-26T09:00:00+09:00"), cron: "*/5 * * * *" });
  assert.equal(result.outcome, "ok");
  const writes = (await requests()).filter((r) => r.method === "POST" && r.path.endsWith("/autoscale"));
  // Sent concurrently: in either order.
  assert.deepEqual(writes.map((r) => r.path).sort(), [
    "/v1/clusters/prod/nodegroups/batch/autoscale",
    "/v1/clusters/prod/nodegroups/default-worker/autoscale",
  ]);
  const summary = logs.map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((l) => l?.event === "reconcile");
  assert.equal(summary.applied, 2);
});

test("no log line holds a key, a password, a token or a kubeconfig", () => {
  assert.ok(logs.some((l) => l.includes('"route":"/v1/clusters/{cluster}/kubeconfig"')), "requests are logged");
  // The emulator's tokens start with "gAAAAA"; kubeconfigs carry certificate and key data.
  const secrets = [KEYS.ci, KEYS.viewer, sha256(KEYS.ci), IDENTITY.password, "gAAAAA", "client-key-data", "certificate-authority-data"];
  for (const line of logs) {
    for (const secret of secrets) {
      assert.ok(!line.includes(secret), `${secret} in ${line}`);
    }
  }
});

// --- Fan-out past one invocation: a queue bound as TICKS ------------------------------

const FLEET = Array.from({ length: 8 }, (_, c) => ({
  name: `fleet-${c}`,
  nodegroups: Array.from({ length: 10 }, (_, g) => ({ name: `ng-${g}`, node_count: 1 })),
}));
const FLEET_POLICY = {
  timezone: "Asia/Seoul",
  rules: [...FLEET, { name: "fleet-bad" }].map((c) => ({
    name: c.name, cluster: c.name, nodegroup: Array.from({ length: 10 }, (_, g) => `ng-${g}`),
    autoscale: { enable: true, min: 2, max: 5 },
  })),
};

/** The Worker's log lines as JSON (a line that is not JSON as `{}`). */
const parsedLines = (logs) => logs.map((l) => { try { return JSON.parse(l); } catch { return {}; } });
/** The autoscaler writes the emulator saw. */
const autoscaleWrites = async () => (await requests()).filter((r) => r.method === "POST" && r.path.endsWith("/autoscale"));

/** Waits (bounded) until `done()` holds; answers its last value. */
async function until(done, what, limitMs = 60_000) {
  const started = Date.now();
  for (;;) {
    const value = await done();
    if (value) return value;
    if (Date.now() - started > limitMs) assert.fail(`not within ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("with a queue, one scheduled event converges a fleet beyond one budget; failures retry, then dead-letter; superseded shares do nothing", async () => {
  await seed({ clusters: [...FLEET, { name: "fleet-bad", nodegroups: [{ name: "ng-0" }] }] });
  await faults([{ route: "GET /v1/clusters/fleet-bad", error: 503 }]);
  await clearRequests();
  const queueLogs = [];
  const queued = workerd({
    kvNamespaces: ["REPORTS"],
    queueProducers: { TICKS: { queueName: "nks-edge-ticks" } },
    queueConsumers: {
      "nks-edge-ticks": { maxBatchSize: 1, maxBatchTimeout: 0, maxRetries: 2, deadLetterQueue: "nks-edge-ticks-dlq" },
      "nks-edge-ticks-dlq": { maxBatchSize: 10, maxBatchTimeout: 0 },
    },
    bindings: {
      ...SIGNED_IN,
      DRY_RUN: "false",
      SUBREQUEST_BUDGET: "50",
      QUEUE_RETRY_SECONDS: "0",
      SCALE_POLICY: JSON.stringify(FLEET_POLICY),
      ACCESS_KEYS: JSON.stringify([{ name: "ci", sha256: sha256(KEYS.ci), scopes: ["plan"], clusters: ["*"] }]),
    },
  }, queueLogs);
  try {
    await queued.ready;
    const worker = await queued.getWorker();
    const tick = new Date("2026-11-26T09:00:00+09:00");
    assert.equal((await worker.scheduled({ scheduledTime: tick, cron: "*/5 * * * *" })).outcome, "ok");
    const parsed = () => parsedLines(queueLogs);
    assert.equal(parsed().find((l) => l.event === "fanout")?.messages, 9, "one message per cluster");

    const writes = await until(async () => {
      const sent = await autoscaleWrites();
      return sent.length >= 80 && parsed().some((l) => l.event === "dead_letter") && sent;
    }, "80 writes and a dead letter");
    // Each node group written once.
    const paths = writes.map((r) => r.path);
    assert.equal(new Set(paths).size, 80);
    assert.equal(paths.length, 80);
    // The failing share: tried 3 times (1 + maxRetries), then dead-lettered.
    const bad = parsed().filter((l) => l.event === "reconcile" && l.errors > 0);
    assert.equal(bad.length, 3, JSON.stringify(bad));
    assert.deepEqual(parsed().find((l) => l.event === "dead_letter").clusters, ["fleet-bad"]);
    // Every share's report was kept.
    const reports = async (query) =>
      (await queued.dispatchFetch(`http://worker.test/v1/reports?${query}`, { headers: { authorization: `Bearer ${KEYS.ci}` } })).json();
    const listed = await reports("limit=50");
    assert.ok(listed.reports.length >= 9, `${listed.reports.length} reports`);
    assert.equal(listed.next, null);
    // Pages of 4, each from the last one's `next` (KV's cursor), give the same reports
    // (a page may be short, even empty, while `next` is set: page until it is null).
    const paged = [];
    let page = await reports("limit=4");
    // KV's cursor comes back sealed: the same `next` changed is refused, naming it.
    assert.ok(page.next !== null, "a first page of 4 has a next");
    const changed = await queued.dispatchFetch(`http://worker.test/v1/reports?limit=4&cursor=${encodeURIComponent(`x${page.next}`)}`, {
      headers: { authorization: `Bearer ${KEYS.ci}` },
    });
    assert.equal(changed.status, 400);
    assert.equal((await changed.json()).error.field, "cursor");
    for (let pages = 1; ; pages++) {
      assert.ok(page.reports.length <= 4);
      paged.push(...page.reports);
      if (page.next === null) break;
      assert.ok(pages < 10, "too many pages");
      page = await reports(`limit=4&cursor=${encodeURIComponent(page.next)}`);
    }
    assert.deepEqual(paged, listed.reports);

    // A share of an older tick, delivered late: superseded, nothing sent.
    await clearRequests();
    const result = await worker.queue("nks-edge-ticks", [
      { id: "late", timestamp: new Date(), attempts: 1, body: { at: tick.getTime() - 300_000, clusters: ["fleet-0"] } },
    ]);
    assert.deepEqual(result.explicitAcks, ["late"]);
    assert.deepEqual(result.retryMessages, []);
    assert.deepEqual(await requests(), []);
    assert.ok(parsed().some((l) => l.event === "superseded"));
  } finally {
    await clearFaults();
    await queued.dispose();
  }
});

/** The Worker in workerd with a queue producer that takes `takes` batches and refuses
 *  the rest (js/fixtures/refusing-queue.mjs), for `policy`. */
function refusingQueue(policy, takes, logs) {
  return workerd({
    scriptPath: new URL("js/fixtures/refusing-queue.mjs", root).pathname,
    modulesRoot: new URL("js/", root).pathname,
    kvNamespaces: ["REPORTS"],
    queueProducers: { TICKS: { queueName: "nks-edge-ticks" } },
    bindings: {
      ...SIGNED_IN,
      DRY_RUN: "false",
      SUBREQUEST_BUDGET: "50",
      SCALE_POLICY: JSON.stringify(policy),
      ACCESS_KEYS: "[]",
      QUEUE_TAKES: String(takes),
    },
  }, logs);
}


test("a queue that refuses the tick's messages: the tick runs in its invocation, and older ticks' retries stay current", async () => {
  await seed({ clusters: FLEET.slice(0, 2) });
  await clearRequests();
  const logs = [];
  const refusing = refusingQueue({ ...FLEET_POLICY, rules: FLEET_POLICY.rules.slice(0, 2) }, 0, logs);
  try {
    await refusing.ready;
    const worker = await refusing.getWorker();
    const tick = new Date("2026-11-26T09:00:00+09:00");
    assert.equal((await worker.scheduled({ scheduledTime: tick, cron: "*/5 * * * *" })).outcome, "ok");
    const parsed = parsedLines(logs);
    const refused = parsed.find((l) => l.event === "fanout" && l.level === "error");
    assert.match(refused?.message ?? "", /the queue refused the tick's messages \(Queue sendBatch failed.*\): the rest runs in this invocation/);
    assert.deepEqual([refused.sent, refused.unsent], [0, 2]);
    // The tick ran here: every node group of both clusters written once.
    const writes = await autoscaleWrites();
    assert.equal(new Set(writes.map((r) => r.path)).size, 20);
    assert.equal(writes.length, 20);
    assert.ok(parsed.some((l) => l.event === "reconcile"), JSON.stringify(parsed));
    // Not recorded as the newest fanned-out tick: an older tick's retry still runs.
    const kv = await refusing.getKVNamespace("REPORTS");
    assert.equal(await kv.get("tick/latest"), null);
  } finally {
    await refusing.dispose();
  }
});

test("a queue that takes some batches and refuses the next: only the refused clusters run here, and the tick is recorded", async () => {
  // 101 clusters: one batch of 100 taken (they go nowhere here), the last one refused.
  const clusters = Array.from({ length: 101 }, (_, c) => ({ name: `q${String(c).padStart(3, "0")}`, nodegroups: [{ name: "ng-0", node_count: 1 }] }));
  await seed({ clusters });
  await clearRequests();
  const policy = { timezone: "Asia/Seoul", rules: [{ cluster: clusters.map((c) => c.name), nodegroup: "ng-0", autoscale: { enable: true, min: 2, max: 5 } }] };
  const logs = [];
  const refusing = refusingQueue(policy, 1, logs);
  try {
    await refusing.ready;
    const worker = await refusing.getWorker();
    const tick = new Date("2026-11-26T09:00:00+09:00");
    assert.equal((await worker.scheduled({ scheduledTime: tick, cron: "*/5 * * * *" })).outcome, "ok");
    const refused = parsedLines(logs).find((l) => l.event === "fanout" && l.level === "error");
    assert.deepEqual([refused?.sent, refused?.unsent], [100, 1], JSON.stringify(refused));
    // The 100 queued clusters are the queue's: not run here a second time.
    assert.deepEqual((await autoscaleWrites()).map((r) => r.path), ["/v1/clusters/q100/nodegroups/ng-0/autoscale"]);
    const kv = await refusing.getKVNamespace("REPORTS");
    assert.equal(await kv.get("tick/latest"), String(tick.getTime()));
  } finally {
    await refusing.dispose();
  }
});
