// A hostile-request table against the Worker in workerd (Miniflare), over the emulator:
// path tricks, methods, oversized and unicode keys, wrong scopes, other clusters by
// name or UUID, huge and out-of-range instants, bad query parameters. Each row's status
// is asserted; no write or kubeconfig reaches the API wrongly, and the isolate still
// answers afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { root, workerd } from "./workerd.mjs";
import { EMULATOR, IDENTITY, reset, requests, clearRequests, SIGNED_IN } from "./emulator.mjs";

const KEYS = { viewer: "viewer-key-0123456789", reader: "reader-key-0123456789", ci: "ci-key-0123456789" };
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const POLICY = {
  timezone: "Asia/Seoul",
  rules: [{ name: "always", cluster: "prod", nodegroup: "default-worker", autoscale: { min: 1, max: 3 } }],
};

let mf;
let uuids;

before(async () => {
  await reset();
  const issued = await (await fetch(`${EMULATOR}/v2.0/tokens`, {
    method: "POST",
    body: JSON.stringify({ auth: { tenantId: IDENTITY.tenantId, passwordCredentials: { username: IDENTITY.username, password: IDENTITY.password } } }),
  })).json();
  const list = await (await fetch(`${EMULATOR}/v1/clusters`, { headers: { "x-auth-token": issued.access.token.id } })).json();
  uuids = Object.fromEntries(list.clusters.map((c) => [c.name, c.uuid]));
  mf = workerd({
    bindings: {
      ...SIGNED_IN,
      CORS_ORIGINS: "https://console.example.com",
      DRY_RUN: "false",
      SCALE_POLICY: JSON.stringify(POLICY),
      ACCESS_KEYS: JSON.stringify([
        { name: "viewer", sha256: sha256(KEYS.viewer), scopes: ["kubeconfig"], clusters: ["k8s-test"] },
        { name: "reader", sha256: sha256(KEYS.reader), scopes: ["read", "plan"], clusters: ["prod"] },
        { name: "ci", sha256: sha256(KEYS.ci), scopes: ["plan", "reconcile"], clusters: ["*"] },
      ]),
    },
  });
  await mf.ready;
});

after(() => mf?.dispose());

const bearer = (key) => ({ authorization: `Bearer ${key}` });

function rows() {
  const huge = "9".repeat(20_000);
  return [
    // Keys: missing, wrong, oversized, unicode, malformed headers.
    ["no key", "GET", "/v1/clusters/k8s-test/kubeconfig", {}, 401],
    ["wrong key", "GET", "/v1/clusters/k8s-test/kubeconfig", bearer("nope"), 401],
    ["oversized key", "GET", "/v1/clusters/k8s-test/kubeconfig", bearer("k".repeat(8000)), 401],
    ["unicode key", "GET", "/v1/clusters/k8s-test/kubeconfig", { authorization: "Bearer %ED%95%9C-key" }, 401],
    ["key's digest as the key", "GET", "/v1/clusters/k8s-test/kubeconfig", bearer(sha256(KEYS.viewer)), 401],
    ["Basic instead of Bearer", "GET", "/v1/clusters/k8s-test/kubeconfig", { authorization: `Basic ${KEYS.viewer}` }, 401],
    ["two keys", "GET", "/v1/clusters/k8s-test/kubeconfig", { authorization: `Bearer ${KEYS.viewer} ${KEYS.ci}` }, 401],
    ["key in the query", "GET", `/v1/clusters/k8s-test/kubeconfig?key=${KEYS.viewer}`, {}, 401],
    ["key in the query, with a key", "GET", `/v1/clusters/k8s-test/kubeconfig?key=x`, bearer(KEYS.viewer), 400],
    // Wrong scopes.
    ["viewer plans", "GET", "/v1/plan", bearer(KEYS.viewer), 403],
    ["reader reconciles", "POST", "/v1/reconcile", bearer(KEYS.reader), 403],
    ["ci reads a kubeconfig", "GET", "/v1/clusters/prod/kubeconfig", bearer(KEYS.ci), 403],
    ["reader through the gateway's kubeconfig", "GET", "/nks/v1/clusters/prod/config", bearer(KEYS.reader), 403],
    ["reader writes autoscale", "POST", "/nks/v1/clusters/prod/nodegroups/default-worker/autoscale", bearer(KEYS.reader), 403, { ca_enable: false }],
    ["reader deletes", "DELETE", "/nks/v1/clusters/prod", bearer(KEYS.reader), 403],
    ["ci on the gateway", "GET", "/nks/v1/clusters", bearer(KEYS.ci), 403],
    // Other clusters by name or UUID.
    ["viewer, other cluster", "GET", "/v1/clusters/prod/kubeconfig", bearer(KEYS.viewer), 403],
    ["viewer, other cluster by UUID", "GET", () => `/v1/clusters/${uuids.prod}/kubeconfig`, bearer(KEYS.viewer), 403],
    ["viewer, own cluster by UUID", "GET", () => `/v1/clusters/${uuids["k8s-test"]}/kubeconfig`, bearer(KEYS.viewer), 200],
    ["reader, other cluster", "GET", "/nks/v1/clusters/dev", bearer(KEYS.reader), 403],
    ["reader, other cluster by UUID", "GET", () => `/nks/v1/clusters/${uuids.dev}/nodegroups`, bearer(KEYS.reader), 403],
    ["reader, unknown cluster", "GET", "/nks/v1/clusters/ghost", bearer(KEYS.reader), 403],
    // Path tricks.
    ["encoded slash in the cluster", "GET", "/v1/clusters/k8s-test%2F..%2Fprod/kubeconfig", bearer(KEYS.viewer), 403],
    // The URL parser resolves dot-dot segments (encoded too) before the Worker routes.
    ["dot-dot into another cluster", "GET", "/v1/clusters/k8s-test/../prod/kubeconfig", bearer(KEYS.viewer), 403],
    ["encoded dot-dot", "GET", "/nks/v1/clusters/%2E%2E/nodegroups", bearer(KEYS.reader), 404],
    ["dot-dot as a cluster", "GET", "/nks/v1/clusters/..%2F/nodegroups", bearer(KEYS.reader), 403],
    ["NUL in the cluster", "GET", "/v1/clusters/k8s-test%00/kubeconfig", bearer(KEYS.viewer), 403],
    ["bad escape", "GET", "/v1/clusters/%E/kubeconfig", bearer(KEYS.viewer), 400],
    ["double slash", "GET", "/nks//v1/clusters", bearer(KEYS.reader), 404],
    ["upper case", "GET", "/V1/plan", bearer(KEYS.ci), 404],
    ["beyond the API", "GET", "/nks/v1/clusters/prod/nodegroups/default-worker/autoscale/x", bearer(KEYS.reader), 404],
    ["gateway root", "GET", "/nks", bearer(KEYS.reader), 404],
    // Methods.
    ["PUT a route", "PUT", "/v1/plan", bearer(KEYS.ci), 405],
    ["DELETE a route", "DELETE", "/v1/reconcile", bearer(KEYS.ci), 405],
    ["POST healthz", "POST", "/healthz", {}, 405],
    ["PUT through the gateway", "PUT", "/nks/v1/clusters/prod", bearer(KEYS.reader), 404],
    ["TRACE-like method", "PROPFIND", "/nks/v1/clusters", bearer(KEYS.reader), 404],
    // Instants and query parameters.
    ["a 6-digit year", "GET", "/v1/plan?at=275761-1-1T00:00:00Z", bearer(KEYS.ci), 400],
    ["an expanded year", "GET", "/v1/plan?at=%2B275760-09-13T00:00:00Z", bearer(KEYS.ci), 400],
    ["no offset", "GET", "/v1/plan?at=2026-11-26T09:00:00", bearer(KEYS.ci), 400],
    ["a huge at", "GET", `/v1/plan?at=${huge}`, bearer(KEYS.ci), 400],
    ["an epoch number", "GET", "/v1/plan?at=1e16", bearer(KEYS.ci), 400],
    ["unknown parameter", "GET", "/v1/plan?force=yes", bearer(KEYS.ci), 400],
    ["dry_run is not a flag", "POST", "/v1/reconcile?dry_run=maybe", bearer(KEYS.ci), 400],
    ["limit too large", "GET", "/v1/reports?limit=100000", bearer(KEYS.ci), 400],
    ["gateway query", "GET", "/nks/v1/clusters?all=true", bearer(KEYS.reader), 400],
    // Bodies.
    ["oversized body", "POST", "/nks/v1/clusters", bearer(KEYS.reader), 413, { name: "x".repeat(70_000) }],
    ["PATCH without a type", "PATCH", "/nks/v1/clusters/prod/nodegroups/default-worker", bearer(KEYS.reader), 400, {}],
    ["PATCH typed as metric autoscale, reader", "PATCH", "/nks/v1/clusters/prod/nodegroups/default-worker", bearer(KEYS.reader), 403, { type: "metric_base_autoscale" }],
    ["plain unicode at", "GET", "/v1/plan?at=%ED%95%9C", bearer(KEYS.ci), 400],
  ];
}

test("the hostile table", async () => {
  await clearRequests();
  const failures = [];
  for (const [name, method, target, headers, status, body] of rows()) {
    const path = typeof target === "function" ? target() : target;
    const response = await mf.dispatchFetch(`http://worker.test${path}`, {
      method,
      headers: { origin: "https://console.example.com", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== status) failures.push(`${name}: ${method} ${path.slice(0, 80)} → ${response.status}, want ${status}: ${text.slice(0, 200)}`);
    if (response.status >= 400) {
      assert.match(response.headers.get("content-type") ?? "", /application\/json/, name);
      assert.ok(JSON.parse(text).error, `${name}: an error object`);
      assert.ok(text.length < 2000, `${name}: the answer does not echo the input`);
    }
  }
  assert.deepEqual(failures, []);
  const seen = await requests();
  const writes = seen.filter((r) => r.method !== "GET" && r.path.startsWith("/v1/"));
  assert.deepEqual(writes, [], "no write reached the API");
  const kubeconfigs = seen.filter((r) => r.path.endsWith("/config")).map((r) => r.path);
  assert.deepEqual(kubeconfigs, [`/v1/clusters/${uuids["k8s-test"]}/config`], "only the viewer's own kubeconfig");
});

test("bad instants do not poison the isolate", async () => {
  for (let i = 0; i < 200; i += 1) {
    const at = i % 2 ? "275761-1-1T00:00:00Z" : `-${"9".repeat(i)}-01-01T00:00:00Z`;
    const response = await mf.dispatchFetch(`http://worker.test/v1/plan?at=${at}`, { headers: bearer(KEYS.ci) });
    assert.equal(response.status, 400);
    await response.arrayBuffer();
  }
  assert.equal((await mf.dispatchFetch("http://worker.test/healthz")).status, 200);
  const head = await mf.dispatchFetch("http://worker.test/healthz", { method: "HEAD" });
  assert.equal(head.status, 200);
  const plan = await mf.dispatchFetch("http://worker.test/v1/plan?at=2026-11-26T09:00:00+09:00", { headers: bearer(KEYS.ci) });
  assert.equal(plan.status, 200);
  assert.equal((await plan.json()).at, "2026-11-26T09:00:00+09:00");
});
