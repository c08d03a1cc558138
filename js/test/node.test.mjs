// The package in Node, imported as a user would, against the emulator: every method
// (the 14 of the seed guide with their answers, the current guide's on the wire), errors, validation before any request, retries of GETs and never of POSTs.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { NksClient, NksError } from "nks-edge";
import * as policyEntry from "nks-edge/policy";
import { EMULATOR, IDENTITY, reset, faults, apiCalls, clearRequests, requests } from "./emulator.mjs";

const fixture = (name) => {
  const value = JSON.parse(readFileSync(new URL(`../../tests/fixtures/${name}.json`, import.meta.url)));
  delete value["//"];
  return value;
};

const client = (extra = {}) =>
  new NksClient({ endpoint: EMULATOR, identity: { ...IDENTITY, endpoint: EMULATOR }, ...extra });

beforeEach(() => reset());

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

test("all 14 methods, with normalized values as plain objects", async () => {
  const nks = client({ retries: 0 });
  const clusters = await nks.listClusters();
  assert.ok(Array.isArray(clusters));
  assert.deepEqual(clusters.map((c) => c.name).sort(), ["dev", "k8s-test", "prod"]);
  const prod = await nks.getCluster("prod");
  assert.equal(Object.getPrototypeOf(prod), Object.prototype, "a plain object, not a Map");
  assert.equal(prod.labels.cert_manager_api, true);
  assert.equal(prod.labels.boot_volume_size, 20);
  assert.equal(typeof prod.labels.etcd_volume_size, "string", "undocumented labels stay as sent");

  const groups = await nks.listNodeGroups("prod");
  assert.deepEqual(groups.map((g) => g.name), ["default-worker", "batch", "gpu"]);
  const batch = await nks.getNodeGroup("prod", "batch");
  assert.equal(batch.labels.ca_enable, true);
  const settings = await nks.getAutoscale("prod", "batch");
  assert.deepEqual([settings.ca_enable, settings.ca_min_node_count, settings.ca_max_node_count], [true, 1, 3]);
  assert.deepEqual(await nks.setAutoscale("prod", "batch", { ca_enable: true, ca_min_node_count: 2, ca_max_node_count: "5" }), { uuid: batch.uuid });
  assert.equal((await nks.getAutoscale("prod", "batch")).ca_max_node_count, 5);

  const yaml = await nks.getKubeconfig("prod");
  assert.equal(typeof yaml, "string");
  const kubeconfig = parseYaml(yaml); // valid YAML, with this cluster's endpoint and certificates
  assert.equal(kubeconfig.kind, "Config");
  assert.equal(kubeconfig.clusters[0].cluster.server, prod.api_address);
  const ca = Buffer.from(kubeconfig.clusters[0].cluster["certificate-authority-data"], "base64").toString();
  assert.match(ca, /^-----BEGIN CERTIFICATE-----\n/);
  const other = parseYaml(await nks.getKubeconfig("k8s-test"));
  assert.notEqual(other.clusters[0].cluster["certificate-authority-data"], kubeconfig.clusters[0].cluster["certificate-authority-data"]);

  const versions = await nks.supportedVersions();
  assert.equal(Object.getPrototypeOf(versions), Object.prototype);
  assert.equal(Object.keys(versions).length, 16);
  assert.equal(versions["v1.21.6"], false);
  assert.deepEqual(Object.keys(versions).filter((v) => versions[v]), ["v1.29.3", "v1.30.3", "v1.31.4", "v1.32.3"]);

  // The old guide's example, at a version still supported (its v1.17.6 is not).
  const example = fixture("create_cluster.request");
  const created = await nks.createCluster({ ...example, labels: { ...example.labels, kube_tag: "v1.32.3" } });
  assert.match(created.uuid, /^[0-9a-f-]{36}$/);
  const group = await nks.createNodeGroup("prod", fixture("create_nodegroup.request"));
  assert.equal(group.name, "added-nodegroup");
  assert.equal(group.labels.ca_enable, false);
  assert.deepEqual(await nks.resize("k8s-test", { nodegroup: "default-worker", node_count: 2 }), { uuid: (await nks.getCluster("k8s-test")).uuid });
  // Before the upgrade: a node group is not deleted while its cluster is being changed.
  assert.equal(await nks.deleteNodeGroup("prod", "gpu"), undefined);
  // A version the table lists but no longer supports: the API's 400, nothing started.
  const old = await rejection(nks.upgrade("prod", "default-master", "v1.21.6"));
  assert.deepEqual([old.kind, old.status, old.title], ["bad_request", 400, "Invalid input for field/attribute version."]);
  assert.equal(old.detail, "version: v1.21.6 is not a supported Kubernetes version (see GET /v1/supports)");
  assert.equal((await nks.upgrade("prod", "default-master", "v1.32.3")).uuid.length, 36);
  assert.equal(await nks.deleteCluster("dev"), undefined);

  assert.deepEqual(await apiCalls(), [
    "GET /v1/clusters", "GET /v1/clusters/prod", "GET /v1/clusters/prod/nodegroups",
    "GET /v1/clusters/prod/nodegroups/batch", "GET /v1/clusters/prod/nodegroups/batch/autoscale",
    "POST /v1/clusters/prod/nodegroups/batch/autoscale", "GET /v1/clusters/prod/nodegroups/batch/autoscale",
    "GET /v1/clusters/prod/config", "GET /v1/clusters/k8s-test/config", "GET /v1/supports", "POST /v1/clusters", "POST /v1/clusters/prod/nodegroups",
    "POST /v1/clusters/k8s-test/actions/resize", "GET /v1/clusters/k8s-test",
    "DELETE /v1/clusters/prod/nodegroups/gpu", "POST /v1/clusters/prod/nodegroups/default-master/upgrade",
    "POST /v1/clusters/prod/nodegroups/default-master/upgrade",
    "DELETE /v1/clusters/dev",
  ]);
});

test("not_found keeps the API's title and request id", async () => {
  const error = await rejection(client().getCluster("no-such"));
  assert.ok(error instanceof NksError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "NksError");
  assert.equal(error.kind, "not_found");
  assert.equal(error.status, 404);
  assert.equal(error.title, "Cluster no-such could not be found.");
  assert.match(error.requestId, /^req-/);
  assert.equal(error.field, null);
});

test("validation happens before any request", async () => {
  await clearRequests();
  const spec = fixture("create_cluster.request");
  spec.labels.cert_manager_api = "False";
  const error = await rejection(client().createCluster(spec));
  assert.equal(error.kind, "validation");
  assert.equal(error.field, "labels.cert_manager_api");
  assert.equal(error.status, 0);
  const typo = await rejection(client().resize("prod", { nodegroup: "gpu", node_count: "many" }));
  assert.equal(typo.field, "spec.node_count");
  assert.match(typo.message, /^spec\.node_count: expected a whole number \(or a string of digits\)$/);
  // A nested field is named by its whole path; a required one that is absent says so.
  const rule = await rejection(client().setMetricAutoscale("prod", "gpu", { mba_scale_out: { enable: "True", rules: [{ metric: "GROUP_CPU_USAGE" }, { duration: [2] }] } }));
  assert.equal(rule.field, "spec.mba_scale_out.rules[1].duration");
  const missing = await rejection(client().setIpAcl("prod", { action: "DENY" }));
  assert.equal(missing.message, "acl.enable: is missing");
  const wrongType = await rejection(client().getCluster(42));
  assert.equal(wrongType.field, "cluster");
  assert.deepEqual(await apiCalls(), [], "the emulator saw nothing");
  assert.throws(() => new NksClient({ region: "us1", token: "t" }), (e) => e instanceof NksError && e.field === "region");
  // Options are read by the same readers as requests: a typo is named, not dropped.
  assert.throws(() => new NksClient({ region: "kr1", token: "t", timeoutMS: 5 }),
    (e) => e.field === "options.timeoutMS" && e.message === 'options.timeoutMS: unknown field (did you mean "timeoutMs"?)');
  assert.throws(() => new NksClient({ region: "kr1", identity: { username: "u", password: "p" } }),
    (e) => e.field === "options.identity.tenantId" && e.message === "options.identity.tenantId: is missing");
  assert.throws(() => new NksClient({ region: "kr1", token: "t", retries: "many" }),
    (e) => e.field === "options.retries" && /expected a whole number/.test(e.message));
});

test("a request after the wall clock was set back does not share a signal that has fired", async () => {
  const nks = client({ retries: 0, timeoutMs: 200 });
  assert.equal((await nks.listClusters()).length, 3); // the token, and a signal of 200 ms
  await new Promise((resolve) => setTimeout(resolve, 400)); // that signal has fired
  const wallClock = Date.now;
  Date.now = () => wallClock() - 3_600_000;
  try {
    assert.equal((await nks.listClusters()).length, 3);
  } finally {
    Date.now = wallClock;
  }
});

test("unauthorized: wrong credentials and a bad token", async () => {
  const wrong = await rejection(client({ identity: { ...IDENTITY, password: "nope", endpoint: EMULATOR } }).listClusters());
  assert.equal(wrong.kind, "unauthorized");
  assert.ok(!wrong.message.includes("nope"), "the password is not in the message");
  const bad = await rejection(new NksClient({ endpoint: EMULATOR, token: "made-up" }).listClusters());
  assert.equal(bad.kind, "unauthorized");
  assert.equal(bad.status, 401);
});

test("a GET and a write of absolute values succeed after injected 503s; an upgrade is not retried", async () => {
  const nks = client({ retries: 2 });
  await nks.listClusters(); // token first
  await faults([
    { route: "GET /v1/clusters/prod", error: 503, times: 2 },
    { route: "POST /v1/clusters/prod/nodegroups/batch/autoscale", error: 503, times: 1 },
    { route: "POST /v1/clusters/prod/nodegroups/batch/upgrade", error: 503, times: 1 },
  ]);
  await clearRequests();
  assert.equal((await nks.getCluster("prod")).name, "prod");
  assert.ok((await nks.setAutoscale("prod", "batch", { ca_enable: true, ca_max_node_count: 4 })).uuid);
  const error = await rejection(nks.upgrade("prod", "batch", "v1.31.4"));
  assert.equal(error.kind, "server");
  assert.equal(error.status, 503);
  assert.equal(error.service, "NKS");
  assert.deepEqual(await apiCalls(), [
    "GET /v1/clusters/prod", "GET /v1/clusters/prod", "GET /v1/clusters/prod",
    "POST /v1/clusters/prod/nodegroups/batch/autoscale", "POST /v1/clusters/prod/nodegroups/batch/autoscale",
    "POST /v1/clusters/prod/nodegroups/batch/upgrade",
  ]);
});

test("an answer cut short is retried for a read; a write that starts something is not", async () => {
  const nks = client({ retries: 2 });
  await nks.listClusters(); // token first
  await faults([
    { route: "GET /v1/clusters", error: "truncated", times: 1 },
    { route: "PATCH /v1/certificates/prod", error: "malformed", times: 1 },
  ]);
  await clearRequests();
  assert.deepEqual((await nks.listClusters()).map((c) => c.name).sort(), ["dev", "k8s-test", "prod"]);
  const error = await rejection(nks.renewCertificates("prod", { term_of_validity: 1 }));
  assert.equal(error.kind, "invalid_response");
  assert.equal(error.service, "NKS");
  assert.deepEqual(await apiCalls(), ["GET /v1/clusters", "GET /v1/clusters", "PATCH /v1/certificates/prod"]);
});

test("a failed connection names the method, URL and service, and keeps the cause", async () => {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve)); // nothing listens there now
  const nks = new NksClient({ endpoint: `http://127.0.0.1:${port}`, token: "t", retries: 0 });
  const error = await rejection(nks.listClusters());
  assert.equal(error.kind, "network");
  assert.equal(error.service, "NKS");
  assert.ok(error.message.startsWith(`network error (NKS): GET http://127.0.0.1:${port}/v1/clusters: fetch failed`), error.message);
  assert.ok(error.cause instanceof Error, "the runtime's cause is kept");
  assert.match(error.cause.message, /ECONNREFUSED/);
});

test("the main entry is the API client; nks-edge/policy adds the policy functions", () => {
  const api = client();
  for (const name of ["plan", "reconcile", "status"]) assert.equal(api[name], undefined, name);
  const full = new policyEntry.NksClient({ endpoint: EMULATOR, token: "t" });
  assert.equal(typeof full.listClusters, "function", "every operation of nks-edge");
  assert.equal(typeof full.plan, "function");
  // A policy client is a client of the API (as its types say); not the other way round.
  assert.ok(full instanceof NksClient);
  assert.ok(api instanceof NksClient);
  assert.ok(full instanceof policyEntry.NksClient);
  assert.ok(!(api instanceof policyEntry.NksClient));
  assert.ok(!({} instanceof NksClient));
  // One error class, whichever entry made the error.
  assert.equal(policyEntry.NksError, NksError);
  assert.throws(() => policyEntry.validatePolicy("{}"), (e) => e instanceof NksError && e.kind === "validation");
});

test("plan and reconcile from JS", async () => {
  const policy = {
    timezone: "Asia/Seoul",
    rules: [
      { name: "business-hours", cluster: "prod", nodegroup: ["default-worker", "batch"],
        when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
      { name: "off-hours", cluster: "prod", nodegroup: ["default-worker", "batch"], autoscale: { min: 1, max: 3 } },
    ],
  };
  const nks = new policyEntry.NksClient({ endpoint: EMULATOR, identity: { ...IDENTITY, endpoint: EMULATOR } });
  const thursday9 = "2026-11-26T09:00:00+09:00";
  const planned = await nks.plan(policy, thursday9);
  assert.equal(planned.at, thursday9);
  assert.deepEqual(planned.actions.map((a) => [a.nodegroup, a.result]), [["default-worker", "planned"], ["batch", "planned"]]);
  const report = await nks.reconcile(JSON.stringify(policy), new Date(thursday9));
  assert.deepEqual(report.actions.map((a) => a.result), ["applied", "applied"]);
  assert.deepEqual(report.actions[0].to, { enable: true, min: 3, max: 10 });
  const again = await nks.reconcile(policy, Date.parse(thursday9));
  assert.deepEqual(again.actions, []);
  assert.equal(again.unchanged.length, 2);
  // A policy is read again when its text changes: the same object, edited, too.
  policy.rules[0].autoscale.max = 8;
  const edited = await nks.plan(policy, thursday9);
  assert.deepEqual(edited.actions.map((a) => [a.to.max, a.result]), [[8, "planned"], [8, "planned"]]);
  assert.deepEqual((await nks.plan(JSON.stringify({ ...policy, rules: policy.rules.slice(1) }), thursday9)).actions.map((a) => a.rule), ["off-hours", "off-hours"]);
  const error = await rejection(nks.plan({ timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "x", when: { days: "Mon-Fry" }, node_count: 2 }] }));
  assert.equal(error.kind, "validation");
  assert.equal(error.field, "policy.rules[0].when.days");
  assert.match(error.message, /"Mon-Fry" is not a day range/);
});

// ---- The operations of the current guide (CONTRACT 5.1) ----

/** The request the API saw last, as { method, path, body }. */
async function lastApiRequest() {
  const seen = (await requests()).filter((r) => r.path.startsWith("/v1/"));
  const { method, path, body } = seen[seen.length - 1];
  return { method, path, body };
}

/** Awaits a call whatever its outcome (the wire is what these tests check). */
const settle = (promise) => promise.then(() => undefined, () => undefined);

test("every write of the current guide on the wire: method, path, body (PATCH types, colon-joined nodes)", async () => {
  const nks = client({ retries: 0 });
  await nks.listClusters(); // token first
  const cases = [
    [() => nks.setIpAcl("prod", { enable: true, action: "ALLOW", ipacl_targets: [{ cidr_address: "10.0.0.0/24", description: "office" }] }),
      "POST", "/v1/clusters/prod/api_ep_ipacl", { enable: "True", action: "ALLOW", ipacl_targets: [{ cidr_address: "10.0.0.0/24", description: "office" }] }],
    [() => nks.renewCertificates("prod", { term_of_validity: 2 }), "PATCH", "/v1/certificates/prod", { term_of_validity: 2 }],
    [() => nks.updateServiceGateways("prod", { ncr_sgw: "n", obs_sgw: "o" }), "POST", "/v1/clusters/prod/actions/update_sgw", { ncr_sgw: "n", obs_sgw: "o" }],
    [() => nks.setControlPlaneLog("prod", { enable: false }), "PATCH", "/v1/clusters/prod", { type: "control_plane_log", control_plane_log: { enable: false } }],
    [() => nks.stopNodes("prod", "batch", ["n-1", "n-2"]), "POST", "/v1/clusters/prod/nodegroups/batch/stop_node", { node_list: "n-1:n-2" }],
    [() => nks.startNodes("prod", "batch", ["n-1"]), "POST", "/v1/clusters/prod/nodegroups/batch/start_node", { node_list: "n-1" }],
    [() => nks.setMetricAutoscale("prod", "batch", { mba_scale_out: { enable: false } }), "PATCH", "/v1/clusters/prod/nodegroups/batch",
      { type: "metric_base_autoscale", mba_scale_out: { enable: false } }],
    [() => nks.changeFlavor("prod", "batch", { flavor_id: "f-2", num_buffer_nodes: 0 }), "PATCH", "/v1/clusters/prod/nodegroups/batch",
      { type: "flavor_id", flavor_id: "f-2", num_buffer_nodes: 0 }],
    [() => nks.setFloatingIpAutoBind("prod", "batch", { fip_auto_bind_enable: false }), "PATCH", "/v1/clusters/prod/nodegroups/batch",
      { type: "fip_auto_bind", fip_auto_bind_update_info: { fip_auto_bind_enable: false } }],
    [() => nks.setNodeLabels("prod", "batch", { tier: "db" }), "PATCH", "/v1/clusters/prod/nodegroups/batch",
      { type: "k8s_node_labels", k8s_node_labels: { tier: "db" } }],
    [() => nks.setUserScript("prod", "batch", "echo hi"), "POST", "/v1/clusters/prod/nodegroups/batch/userscript", { contents: "echo hi" }],
    [() => nks.upgrade("prod", "batch", "v1.31.4", { num_buffer_nodes: 2, num_max_unavailable_nodes: 1 }), "POST", "/v1/clusters/prod/nodegroups/batch/upgrade",
      { version: "v1.31.4", num_buffer_nodes: 2, num_max_unavailable_nodes: 1 }],
    [() => nks.installAddon("prod", { name: "coredns", version: "1.8.4-nks1", resolve_conflicts: "overwrite" }), "POST", "/v1/clusters/prod/addons/",
      { name: "coredns", version: "1.8.4-nks1", resolve_conflicts: "overwrite" }],
    [() => nks.updateAddon("prod", "coredns", { version: "1.8.4-nks1", resolve_conflicts: "none" }), "PATCH", "/v1/clusters/prod/addons/coredns",
      { version: "1.8.4-nks1", resolve_conflicts: "none" }],
    [() => nks.uninstallAddon("prod", "coredns"), "DELETE", "/v1/clusters/prod/addons/coredns", null],
  ];
  for (const [call, method, path, body] of cases) {
    await settle(call());
    assert.deepEqual(await lastApiRequest(), { method, path, body }, `${method} ${path}`);
  }
});

test("every read of the current guide on the wire", async () => {
  const nks = client({ retries: 0 });
  await nks.listClusters();
  const cases = [
    [() => nks.getIpAcl("prod"), "/v1/clusters/prod/api_ep_ipacl"],
    [() => nks.listAddonTypes(), "/v1/addon_types/"],
    [() => nks.getAddonType("cni"), "/v1/addon_types/cni"],
    [() => nks.listAddons(), "/v1/addons/"],
    [() => nks.getAddon("a b"), "/v1/addons/a%20b"],
    [() => nks.listClusterAddons("prod"), "/v1/clusters/prod/addons/"],
    [() => nks.getClusterAddon("prod", "calico"), "/v1/clusters/prod/addons/calico"],
    [() => nks.supportedEventTypes(), "/v1/supports"],
  ];
  for (const [call, path] of cases) {
    await settle(call());
    assert.deepEqual(await lastApiRequest(), { method: "GET", path, body: null }, path);
  }
});

test("events: a cluster name is resolved with one read, a UUID is used as is", async () => {
  const nks = client({ retries: 0 });
  const prod = await nks.getCluster("prod");
  await clearRequests();
  await settle(nks.listEvents("prod"));
  assert.deepEqual(await apiCalls(), ["GET /v1/clusters/prod", `GET /v1/clusters/${prod.uuid}/events`]);
  await clearRequests();
  await settle(nks.getEvent(prod.uuid, "e-1"));
  assert.deepEqual(await apiCalls(), [`GET /v1/clusters/${prod.uuid}/events/e-1`]);
  await clearRequests();
  const missing = await rejection(nks.listEvents("ghost"));
  assert.equal(missing.kind, "not_found");
  assert.deepEqual(await apiCalls(), ["GET /v1/clusters/ghost"], "no events request for a missing cluster");
});

test("the current guide's rules are checked before any request, naming the field", async () => {
  const nks = client();
  await nks.listClusters();
  await clearRequests();
  const cases = [
    [nks.setIpAcl("prod", { enable: true, action: "PERMIT", ipacl_targets: [{ cidr_address: "10.0.0.1" }] }), "action"],
    [nks.setIpAcl("prod", { enable: true, action: "DENY", ipacl_targets: [] }), "ipacl_targets"],
    [nks.setIpAcl("prod", { enable: true, action: "DENY", ipacl_targets: [{ cidr_address: "10.0.0.0/40" }] }), "ipacl_targets[0].cidr_address"],
    [nks.renewCertificates("prod", { term_of_validity: 6 }), "term_of_validity"],
    [nks.setControlPlaneLog("prod", { enable: true, type: "obs", sgw: "s", obs_api_url: "u", upload_interval: 61 }), "control_plane_log.upload_interval"],
    [nks.stopNodes("prod", "batch", []), "node_list"],
    [nks.stopNodes("prod", "batch", ["a:b"]), "node_list[0]"],
    [nks.startNodes("prod", "batch", "n-1"), "nodeUuids"],
    [nks.setMetricAutoscale("prod", "batch", { mba_scale_in: { enable: true, delay: 61, rules: [] } }), "mba_scale_in.delay"],
    [nks.setMetricAutoscale("prod", "batch", { mba_scale_out: { enable: true, rules: [{ metric: "CPU", threshold: 1, duration: 2 }] } }), "mba_scale_out.rules[0].metric"],
    [nks.setNodeLabels("prod", "batch", Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"]))), "k8s_node_labels"],
    [nks.installAddon("prod", { name: "coredns", version: "1" }), "resolve_conflicts"],
    [nks.updateAddon("prod", "coredns", { version: "1", resolve_conflicts: "merge" }), "resolve_conflicts"],
    [nks.upgrade("prod", "batch", "v1.31.4", { num_max_unavailable_nodes: 0 }), "num_max_unavailable_nodes"],
    [nks.getEvent("prod", ".."), "event"],
  ];
  for (const [promise, field] of cases) {
    const error = await rejection(promise);
    assert.ok(error instanceof NksError);
    assert.equal(error.kind, "validation", field);
    assert.equal(error.field, field);
    assert.deepEqual(error.issues.map((i) => i.field), [field]);
  }
  assert.deepEqual(await apiCalls(), [], "the emulator saw nothing");
});

test("the current guide's answers, read back from the emulator (needs the emulator of wt-emulator)", async () => {
  const nks = client({ retries: 0 });
  const prod = await nks.getCluster("prod");
  assert.deepEqual(await nks.setIpAcl("prod", { enable: "True", action: "DENY", ipacl_targets: [{ cidr_address: "203.0.113.0/24", description: "blocked" }] }), { uuid: prod.uuid });
  const acl = await nks.getIpAcl("prod");
  assert.equal(acl.enable, true, "enable read as a boolean");
  assert.equal(acl.action, "DENY");
  assert.deepEqual(acl.ipacl_targets, [{ cidr_address: "203.0.113.0/24", description: "blocked" }]);

  const events = await nks.listEvents("prod");
  assert.ok(events.some((e) => e.type === "CLUSTER_API_EP_IPACL_UPDATE"), "the ACL change is in the history");
  const one = await nks.getEvent(prod.uuid, events[0].uuid);
  assert.equal(one.uuid, events[0].uuid);
  assert.ok(["IN_PROGRESS", "SUCCESS", "FAIL"].includes(one.state));

  const types = await nks.listAddonTypes();
  for (const name of ["cni", "kube-dns"]) {
    assert.equal(types.find((t) => t.name === name)?.mandatory, true, `${name} is mandatory`);
  }
  assert.equal((await nks.getAddonType("cni")).name, "cni");
  const catalogue = await nks.listAddons();
  assert.ok(catalogue.length > 0);
  assert.equal((await nks.getAddon(catalogue[0].uuid)).uuid, catalogue[0].uuid);
  const installed = await nks.listClusterAddons("prod");
  assert.ok(installed.length > 0);
  assert.equal((await nks.getClusterAddon("prod", installed[0].name)).name, installed[0].name);

  const eventTypes = await nks.supportedEventTypes();
  assert.equal(typeof eventTypes.CLUSTER_CREATE, "string");
});

test("a patched fetch may answer without headers: the call resolves, nothing is left unhandled", async () => {
  const real = globalThis.fetch;
  const unhandled = [];
  const note = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", note);
  globalThis.fetch = async () => ({ status: 200, text: async () => '{"clusters": [{"uuid": "u-1", "name": "bare"}]}' });
  try {
    const nks = new NksClient({ endpoint: "http://stub.invalid", token: "t", retries: 0 });
    assert.deepEqual((await nks.listClusters()).map((c) => c.name), ["bare"]);
    globalThis.fetch = async () => ({ status: 404, headers: {}, text: async () => '{"errors": [{"status": 404, "title": "gone"}]}' });
    const gone = await rejection(nks.getCluster("x"));
    assert.equal(gone.kind, "not_found");
    assert.equal(gone.requestId, null);
    // A fetch that throws at once, or answers something that is not a promise.
    globalThis.fetch = () => {
      throw new TypeError("no fetch here");
    };
    const thrown = await rejection(nks.listClusters());
    assert.equal(thrown.kind, "network");
    assert.match(thrown.message, /no fetch here/);
    globalThis.fetch = () => ({ status: 200, text: async () => '{"clusters": []}' });
    assert.deepEqual(await nks.listClusters(), []);
    // Headers whose `get` throws, and an error whose message throws: still one answer.
    const hostile = { get: () => { throw new Error("no headers"); } };
    globalThis.fetch = async () => ({ status: 503, headers: hostile, text: async () => "{}" });
    assert.equal((await rejection(nks.listClusters())).status, 503);
    globalThis.fetch = async () => {
      throw { get message() { throw new Error("no message"); } };
    };
    assert.equal((await rejection(nks.listClusters())).kind, "network");
    // A body that cannot be made a string, and a status that is a BigInt.
    globalThis.fetch = async () => ({ status: 200, text: async () => ({ toString() { throw new Error("no text"); } }) });
    assert.match((await rejection(nks.listClusters())).message, /no text/);
    globalThis.fetch = async () => ({ status: 200n, text: async () => '{"clusters": []}' });
    assert.deepEqual(await nks.listClusters(), []);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(unhandled, []);
  } finally {
    globalThis.fetch = real;
    process.off("unhandledRejection", note);
  }
});

/** A fetch that answers each request with the next of `answers` (a function of the
 *  request, or a `[status, body]`), and the requests it was sent: method, URL, the
 *  token header and the body. */
function scripted(answers) {
  const sent = [];
  const fetch = async (url, init) => {
    const headers = init.headers;
    sent.push([init.method, url, headers["X-Auth-Token"] ?? headers.Authorization, init.body]);
    const next = answers.shift();
    if (typeof next === "function") return next(url, init);
    const [status, body] = next;
    return { status, headers: new Headers(), text: async () => body };
  };
  return { fetch, sent };
}

const TOKEN = (id) => [201, JSON.stringify({ access: { token: { id, expires: "2099-01-01T00:00:00Z" } } })];
const CLUSTER = [200, JSON.stringify({ uuid: "u-1", name: "prod" })];

test("a call's first attempt goes out from JavaScript; what it cannot settle, the wasm takes over as if it had sent it", async () => {
  const real = globalThis.fetch;
  const stub = "http://stub.invalid";
  const { fetch, sent } = scripted([
    TOKEN("tok-1"), [200, '{"clusters": []}'],
    // A 401: a new token, then the request again with it.
    [401, '{"errors": [{"status": 401, "title": "Unauthorized"}]}'], TOKEN("tok-2"), CLUSTER,
    // A 503 on a read: retried.
    [503, "{}"], CLUSTER,
    // A 2xx its shape refuses, on a read: retried, then the error.
    [200, "{}"], [200, '{"name": "prod"}'],
    // A 503 on a create: not sent again; NKS's words, with the token in them, come back without it.
    [503, '{"errors": [{"status": 503, "title": "Unavailable", "detail": "bad token tok-2"}]}'],
    // A delete answers nothing: an error status is still an error.
    [404, '{"errors": [{"status": 404, "title": "Not Found"}]}'], [204, ""],
    // A 401 on a write with a body beyond ASCII: a new token, the same request again.
    [401, '{"errors": [{"status": 401, "title": "Unauthorized"}]}'], TOKEN("tok-3"), [200, '{"uuid": "u-1"}'],
    // No answer within the timeout, twice.
    // (The timer keeps the process alive: the signal's own does not.)
    ...[0, 1].map(() => (url, init) => new Promise((_, reject) => {
      const alive = setTimeout(() => reject(new Error("not aborted")), 5000);
      init.signal.addEventListener("abort", () => reject(init.signal.reason, clearTimeout(alive)));
    })),
  ]);
  const nks = new NksClient({ endpoint: stub, identity: { ...IDENTITY, endpoint: stub }, retries: 1, timeoutMs: 100 });
  // What the wasm is handed back: only what JavaScript could not settle.
  const wasm = Object.getPrototypeOf(nks[Object.getOwnPropertySymbols(nks)[0]]);
  const resume = wasm.resume;
  const handed = [];
  wasm.resume = function (first, status, ...rest) {
    handed.push(status);
    return resume.call(this, first, status, ...rest);
  };
  globalThis.fetch = fetch;
  try {
    assert.deepEqual(await nks.listClusters(), []);
    assert.equal((await nks.getCluster("prod")).uuid, "u-1");
    assert.equal((await nks.getCluster("prod")).uuid, "u-1");
    const unreadable = await rejection(nks.getCluster("prod"));
    assert.equal(unreadable.kind, "invalid_response");
    assert.match(unreadable.message, /uuid: is missing/);
    const spec = fixture("create_cluster.request");
    const refused = await rejection(nks.createCluster(spec));
    assert.equal(refused.status, 503);
    assert.ok(!JSON.stringify({ ...refused, message: refused.message }).includes("tok-2"), refused.message);
    assert.match(refused.detail, /bad token \*\*\*/);
    assert.equal((await rejection(nks.deleteCluster("gone"))).kind, "not_found");
    assert.equal(await nks.deleteCluster("prod"), undefined);
    const script = "#!/bin/sh\necho 안녕 ✓";
    assert.equal((await nks.setUserScript("prod", "default-worker", script)).uuid, "u-1");
    const late = await rejection(nks.listClusters());
    assert.equal(late.kind, "timeout");
    const get = (path, token) => ["GET", `${stub}${path}`, token, undefined];
    const tokens = ["POST", `${stub}/v2.0/tokens`, undefined];
    assert.deepEqual(sent.map((r) => (r[1].endsWith("/v2.0/tokens") ? r.slice(0, 3) : r)), [
      tokens, get("/v1/clusters", "tok-1"),
      get("/v1/clusters/prod", "tok-1"), tokens, get("/v1/clusters/prod", "tok-2"),
      get("/v1/clusters/prod", "tok-2"), get("/v1/clusters/prod", "tok-2"),
      get("/v1/clusters/prod", "tok-2"), get("/v1/clusters/prod", "tok-2"),
      ["POST", `${stub}/v1/clusters`, "tok-2", sent[9][3]],
      ["DELETE", `${stub}/v1/clusters/gone`, "tok-2", undefined], ["DELETE", `${stub}/v1/clusters/prod`, "tok-2", undefined],
      ["POST", `${stub}/v1/clusters/prod/nodegroups/default-worker/userscript`, "tok-2", JSON.stringify({ contents: script })],
      tokens,
      ["POST", `${stub}/v1/clusters/prod/nodegroups/default-worker/userscript`, "tok-3", JSON.stringify({ contents: script })],
      get("/v1/clusters", "tok-3"), get("/v1/clusters", "tok-3"),
    ]);
    // The 401, the 503, the unreadable 2xx, the refused create, the 404, the 401 and
    // the timeout: each first attempt the wasm took over; every 2xx that read was
    // settled in JavaScript.
    assert.deepEqual(handed, [401, 503, 200, 503, 404, 401, 1]);
    assert.deepEqual(JSON.parse(sent[9][3]).name, spec.name);
  } finally {
    globalThis.fetch = real;
    wasm.resume = resume;
  }
});

test("an access key's first attempt is taken over with its bearer token, which its errors do not carry", async () => {
  const real = globalThis.fetch;
  const { fetch, sent } = scripted([
    [502, '{"errors": [{"status": 502, "title": "Broken", "detail": "Bearer key-secret was fine"}]}'],
    [502, '{"errors": [{"status": 502, "title": "Broken", "detail": "Bearer key-secret was fine"}]}'],
  ]);
  globalThis.fetch = fetch;
  try {
    const nks = new NksClient({ endpoint: "http://stub.invalid", accessKey: "key-secret", retries: 1 });
    const error = await rejection(nks.listClusters());
    assert.equal(error.status, 502);
    assert.equal(error.detail, "Bearer *** was fine");
    assert.deepEqual(sent.map((r) => r[2]), ["Bearer key-secret", "Bearer key-secret"]);
  } finally {
    globalThis.fetch = real;
  }
});

test("supported event types read flat, sent flat or grouped as the guide's table documents", async () => {
  const real = globalThis.fetch;
  const answer = (body) => async () => ({ status: 200, headers: new Headers(), text: async () => JSON.stringify(body) });
  try {
    const nks = new NksClient({ endpoint: "http://stub.invalid", token: "t", retries: 0 });
    globalThis.fetch = answer({ supported_k8s: {}, supported_event_type: {
      cluster_events: { CLUSTER_CREATE: "Create a cluster" }, nodegroup_events: { NODEGROUP_UPGRADE: "Node group upgrade" } } });
    assert.deepEqual(await nks.supportedEventTypes(), { CLUSTER_CREATE: "Create a cluster", NODEGROUP_UPGRADE: "Node group upgrade" });
    globalThis.fetch = answer({ supported_k8s: {}, supported_event_type: { CLUSTER_CREATE: "Create a cluster" } });
    assert.deepEqual(await nks.supportedEventTypes(), { CLUSTER_CREATE: "Create a cluster" });
    globalThis.fetch = answer({ supported_k8s: {}, supported_event_type: { cluster_events: { X: 1 } } });
    const bad = await rejection(nks.supportedEventTypes());
    assert.equal(bad.kind, "invalid_response");
    assert.match(bad.message, /supported_event_type\.cluster_events\.X/);
  } finally {
    globalThis.fetch = real;
  }
});
