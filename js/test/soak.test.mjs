// Issue 13, item 7: a bounded fault soak. For each fixed seed, an emulator of its own
// (127.0.0.1, `--rng-seed`, stopped by PID) fails NKS calls at random — 5xx 21 %,
// 429 8 %, closed connections 4 %, truncated and malformed answers 3 % each, some
// slow answers — and Identity 25 %. Ticks run through the package until the fleet is
// as the policy wants it: within 3 ticks, and no write ever sets a value the policy
// does not want. Between ticks the state is read back with the faults off.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { NksClient } from "nks-edge/policy";
import { IDENTITY } from "./emulator.mjs";

const BINARY = new URL("../../target/debug/nks-emulator", import.meta.url).pathname;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const TICKS = 3;
const AT = "2026-11-26T09:00:00+09:00";

const FLEET = {
  clusters: ["c0", "c1", "c2", "c3"].map((name) => ({
    name,
    nodegroups: [
      { name: "g0", node_count: 2, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "3" } },
      { name: "g1", node_count: 1, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "3" } },
      { name: "fixed", node_count: 1, labels: { ca_enable: "False" } },
    ],
  })),
};
const POLICY = {
  timezone: "Asia/Seoul",
  rules: [
    { name: "day", cluster: "c0", nodegroup: ["g0", "g1"], autoscale: { enable: true, min: 3, max: 10 } },
    { name: "day", cluster: "c1", nodegroup: ["g0", "g1"], autoscale: { enable: true, min: 3, max: 10 } },
    { name: "day", cluster: "c2", nodegroup: ["g0", "g1"], autoscale: { enable: true, min: 3, max: 10 } },
    { name: "day", cluster: "c3", nodegroup: ["g0", "g1"], autoscale: { enable: true, min: 3, max: 10 } },
    ...["c0", "c1", "c2", "c3"].map((cluster) => ({ name: "size", cluster, nodegroup: "fixed", node_count: 2 })),
  ],
};
const FAULTS = [
  { route: "/v2.0/tokens", error: 503, rate: 0.25 },
  { route: "GET /v1/clusters/*/nodegroups/*/autoscale", latency_ms: 20 },
  { error: 503, rate: 0.21 },
  { error: 429, rate: 0.08, retry_after_s: 0 },
  { error: "close", rate: 0.04 },
  { error: "truncated", rate: 0.03 },
  { error: "malformed", rate: 0.03 },
];

async function emulator(seed) {
  const child = spawn(BINARY, ["--port", "0", "--rng-seed", String(seed), "--op-delay-ms", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const { value } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  return { url: value.trim(), stop: () => child.kill("SIGTERM") };
}

async function admin(url, method, path, body) {
  const response = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.json();
}

/** Whether every node group is as the policy wants it (read with the faults off). */
async function converged(client) {
  for (const { name } of FLEET.clusters) {
    for (const group of ["g0", "g1"]) {
      const a = await client.getAutoscale(name, group);
      if (!(a.ca_enable === true && a.ca_min_node_count === 3 && a.ca_max_node_count === 10)) return false;
    }
    if ((await client.getNodeGroup(name, "fixed")).node_count !== 2) return false;
  }
  return true;
}

/** Writes whose body sets something the policy does not want. */
function wrongWrites(log) {
  return log
    .filter((r) => r.method === "POST" && r.path.startsWith("/v1/"))
    .filter((r) => {
      const body = r.body ?? {};
      if (r.path.endsWith("/autoscale")) {
        return !(body.ca_enable === true && body.ca_min_node_count === 3 && body.ca_max_node_count === 10);
      }
      if (r.path.endsWith("/actions/resize")) return !(body.nodegroup === "fixed" && body.node_count === 2);
      return true;
    });
}

const outcome = [];

for (const seed of SEEDS) {
  test(`fault soak, seed ${seed}: converged within ${TICKS} ticks, no wrong write`, async () => {
    const { url, stop } = await emulator(seed);
    try {
      await admin(url, "POST", "/_emulator/seed", FLEET);
      const ticking = new NksClient({ endpoint: url, identity: { ...IDENTITY, endpoint: url }, retries: 2 });
      const reader = new NksClient({ endpoint: url, identity: { ...IDENTITY, endpoint: url }, retries: 0 });
      let ticks = 0;
      let done = false;
      while (!done && ticks < TICKS) {
        await admin(url, "POST", "/_emulator/faults", FAULTS);
        // One request at a time, so that each seed draws its faults in the same order
        // on every run: the outcome per seed is fixed.
        await ticking.reconcile(POLICY, AT, { budget: 200, concurrency: 1 });
        ticks += 1;
        await admin(url, "DELETE", "/_emulator/faults");
        done = await converged(reader);
      }
      const log = (await admin(url, "GET", "/_emulator/requests")).requests;
      const wrong = wrongWrites(log);
      outcome.push({ seed, ticks: done ? ticks : null, requests: log.length, wrong: wrong.length });
      assert.deepEqual(wrong, [], "no write sets a value the policy does not want");
      assert.ok(done, `not converged after ${TICKS} ticks`);
    } finally {
      stop();
    }
  });
}

test("fault soak summary", () => {
  console.log(`# soak: ${JSON.stringify(outcome)}`);
  assert.equal(outcome.length, SEEDS.length);
});
