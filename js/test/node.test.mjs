// The package in Node, imported as a user would, against the emulator: all 14 methods,
// errors, validation before any request, retries of GETs and never of POSTs.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { NksClient, NksError } from "nks-edge";
import { EMULATOR, IDENTITY, reset, faults, apiCalls, clearRequests } from "./emulator.mjs";

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
  assert.equal(versions["v1.21.6"], true);

  const created = await nks.createCluster(fixture("create_cluster.request"));
  assert.match(created.uuid, /^[0-9a-f-]{36}$/);
  const group = await nks.createNodeGroup("prod", fixture("create_nodegroup.request"));
  assert.equal(group.name, "added-nodegroup");
  assert.equal(group.labels.ca_enable, false);
  assert.deepEqual(await nks.resize("k8s-test", { nodegroup: "default-worker", node_count: 2 }), { uuid: (await nks.getCluster("k8s-test")).uuid });
  assert.equal((await nks.upgrade("prod", "default-master", "v1.21.6")).uuid.length, 36);
  assert.equal(await nks.deleteNodeGroup("prod", "gpu"), undefined);
  assert.equal(await nks.deleteCluster("dev"), undefined);

  assert.deepEqual(await apiCalls(), [
    "GET /v1/clusters", "GET /v1/clusters/prod", "GET /v1/clusters/prod/nodegroups",
    "GET /v1/clusters/prod/nodegroups/batch", "GET /v1/clusters/prod/nodegroups/batch/autoscale",
    "POST /v1/clusters/prod/nodegroups/batch/autoscale", "GET /v1/clusters/prod/nodegroups/batch/autoscale",
    "GET /v1/clusters/prod/config", "GET /v1/clusters/k8s-test/config", "GET /v1/supports", "POST /v1/clusters", "POST /v1/clusters/prod/nodegroups",
    "POST /v1/clusters/k8s-test/actions/resize", "GET /v1/clusters/k8s-test",
    "POST /v1/clusters/prod/nodegroups/default-master/upgrade", "DELETE /v1/clusters/prod/nodegroups/gpu",
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
  const wrongType = await rejection(client().getCluster(42));
  assert.equal(wrongType.field, "cluster");
  assert.deepEqual(await apiCalls(), [], "the emulator saw nothing");
  assert.throws(() => new NksClient({ region: "us1", token: "t" }), (e) => e instanceof NksError && e.field === "region");
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
  const error = await rejection(nks.upgrade("prod", "batch", "v1.99.0"));
  assert.equal(error.kind, "server");
  assert.equal(error.status, 503);
  assert.equal(error.service, "NKS");
  assert.deepEqual(await apiCalls(), [
    "GET /v1/clusters/prod", "GET /v1/clusters/prod", "GET /v1/clusters/prod",
    "POST /v1/clusters/prod/nodegroups/batch/autoscale", "POST /v1/clusters/prod/nodegroups/batch/autoscale",
    "POST /v1/clusters/prod/nodegroups/batch/upgrade",
  ]);
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

test("plan and reconcile from JS", async () => {
  const policy = {
    timezone: "Asia/Seoul",
    rules: [
      { name: "business-hours", cluster: "prod", nodegroup: ["default-worker", "batch"],
        when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
      { name: "off-hours", cluster: "prod", nodegroup: ["default-worker", "batch"], autoscale: { min: 1, max: 3 } },
    ],
  };
  const nks = client();
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
  const error = await rejection(nks.plan({ timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "x", when: { days: "Mon-Fry" }, node_count: 2 }] }));
  assert.equal(error.kind, "validation");
  assert.equal(error.field, "policy.rules[0].when.days");
  assert.match(error.message, /"Mon-Fry" is not a day range/);
});
