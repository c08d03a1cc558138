// What `make bench` (run.mjs) and its measuring processes (pair.mjs, alone.mjs) share:
// the fleet ticked, the pairs measured against their plain-JavaScript peers, and a
// fetch that answers in process.
import { readFileSync } from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import * as workerBuild from "../js/pkg-worker/nks_edge.js";
import { plainReconcile } from "./plain-reconciler.mjs";

export const ACCOUNT = { tenantId: "demo-tenant", username: "demo@example.com", password: "demo-password" };

/** Identity's token request for `ACCOUNT` (POST /v2.0/tokens). */
export const tokenRequest = { auth: { tenantId: ACCOUNT.tenantId, passwordCredentials: { username: ACCOUNT.username, password: ACCOUNT.password } } };

/** Ten clusters of ten node groups, each with its autoscaler at 1-3. */
export const hundred = {
  clusters: Array.from({ length: 10 }, (_, c) => ({
    name: `cluster-${c}`,
    nodegroups: Array.from({ length: 10 }, (_, g) => ({
      name: g === 0 ? "default-worker" : `group-${g}`,
      node_count: 1,
      labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "3" },
    })),
  })),
};

/** A policy that changes every node group of `hundred`: 100 writes. */
export const policy = {
  timezone: "Asia/Seoul",
  rules: hundred.clusters.map((c) => ({ cluster: c.name, nodegroup: c.nodegroups.map((g) => g.name), autoscale: { enable: true, min: 3, max: 10 } })),
};

/** One tick of `policy` by `client` (either entry's, or the Worker's), its answers
 *  served in process: it must plan a write for each of the 100 node groups. */
export const stubbedTick = (client) => async () => {
  const report = await client.reconcile(policy, undefined, { budget: 1000 });
  if (report.actions.length !== 100) throw new Error(`the stubbed tick planned ${report.actions.length} writes: ${JSON.stringify(report).slice(0, 600)}`);
};

/** The tick pair with `bodies` (real answers) served in process, this process's
 *  `fetch` replaced: `ours` with the Worker's wasm (built for speed: its cron tick is
 *  billed in CPU), `plain` with bench/plain-reconciler.mjs, each checked to write the
 *  100 node groups. Only each side's own work is measured, as Workers bill it (there
 *  fetch, Request and Response are native, not JavaScript). */
export function stubbedTicks(bodies) {
  globalThis.fetch = stubFetch(bodies);
  workerBuild.initSync({ module: readFileSync(new URL("../js/pkg-worker/nks_edge_bg.wasm", import.meta.url)) });
  const identity = { ...ACCOUNT, endpoint: "http://stub.invalid" };
  return {
    ours: stubbedTick(new workerBuild.Client({ endpoint: "http://stub.invalid", identity, retries: 0 })),
    plain: async () => {
      if ((await plainReconcile("http://stub.invalid", identity, policy.rules)) !== 100) throw new Error("the plain tick wrote less");
    },
  };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const mean = (xs) => xs.reduce((sum, x) => sum + x, 0) / xs.length;

/** The CPU `run` costs this process, in ms. */
export async function cpuOf(run) {
  const cpu = process.cpuUsage();
  await run();
  const spent = process.cpuUsage(cpu);
  return (spent.user + spent.system) / 1000;
}

async function perCall(fn, n) {
  for (let i = 0; i < 20; i++) await fn(); // warm up
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** A call's wall time (ms) for `ours` and `theirs`: both warmed up to steady state,
 *  then eleven interleaved rounds of `n` calls; the median round of each. */
export async function perCallPair(ours, theirs, n) {
  // Steady state first: the engine optimizes wasm (and JavaScript) only after a
  // function has run for a while, on a background thread.
  for (let i = 0; i < 10 * n; i++) {
    await ours();
    await theirs();
  }
  // Interleaved, so drift in the machine's load hits both alike; eleven rounds, as
  // one in five was off by 0.05-0.3 on this two-core machine (the emulator shares it).
  const a = [], b = [];
  for (let round = 0; round < 11; round++) {
    a.push(await perCall(ours, n));
    b.push(await perCall(theirs, n));
  }
  return { ours: median(a), plain: median(b) };
}

/** Ticks per batch in `tickPair`: several of each side's young-generation collections. */
const TICK_BATCH = 500;

/** Until what the engine had queued (collection tasks among it) has run: a stubbed
 *  tick awaits only promises, so the event loop gets no turn while ticks run. */
export const settled = () => new Promise((resolve) => setImmediate(resolve));

/** The CPU (ms) of `count` ticks of `tick` in a row, per tick: the whole process's,
 *  collections included, up to when what they queued has run. */
export async function batchCpu(tick, count) {
  return (
    (await cpuOf(async () => {
      for (let i = 0; i < count; i++) await tick();
      await settled();
    })) / count
  );
}

/** A tick's CPU (ms) for `ours` and `theirs`, each figure as `{ ours, plain }`: 200
 *  warm-up ticks each (the Worker's wasm tiers up over its first hundred or so); then
 *  101 single ticks each, alternating, their median (`singleTick`: the figure this
 *  bench gave before, which leaves out the ticks a collection falls on) and mean
 *  (`singleMean`); then five rounds of a batch of `TICK_BATCH` ticks per side, the
 *  side that goes first alternating, each side's whole CPU over its batches per tick
 *  (`tick`) and its collection pauses per tick (`tickGc`). */
export async function tickPair(ours, theirs) {
  for (let i = 0; i < 200; i++) {
    await ours();
    await theirs();
  }
  const a = [], b = [];
  for (let i = 0; i < 101; i++) {
    a.push(await cpuOf(ours));
    b.push(await cpuOf(theirs));
  }
  await settled();
  const pauses = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  const batches = { ours: [], plain: [] };
  const batch = async (side, tick) => {
    const from = performance.now();
    batches[side].push({ cpu: await batchCpu(tick, TICK_BATCH), from, to: performance.now() });
  };
  for (let round = 0; round < 5; round++) {
    const sides = [["ours", ours], ["plain", theirs]];
    for (const [side, tick] of round % 2 === 0 ? sides : sides.reverse()) await batch(side, tick);
  }
  await settled();
  pauses.push(...observer.takeRecords());
  observer.disconnect();
  const perTick = (side) => mean(batches[side].map((b) => b.cpu));
  const gcOf = (side) => {
    const within = pauses.filter((p) => batches[side].some((b) => p.startTime >= b.from && p.startTime < b.to));
    return within.reduce((ms, p) => ms + p.duration, 0) / (batches[side].length * TICK_BATCH);
  };
  return {
    tick: { ours: perTick("ours"), plain: perTick("plain") },
    tickGc: { ours: gcOf("ours"), plain: gcOf("plain") },
    singleTick: { ours: median(a), plain: median(b) },
    singleMean: { ours: mean(a), plain: mean(b) },
  };
}

/** A `fetch` answering in process from `bodies` (real answers captured from the
 *  emulator, as minimal response objects): Identity's token, the cluster list, a
 *  kubeconfig, a write's UUID, a node group's autoscaler, and otherwise the cluster,
 *  each answering with its own name and UUID (the planner decides a cluster named
 *  twice once, so ten copies of one cluster would be one unit). */
export function stubFetch(bodies) {
  const { uuid } = JSON.parse(bodies.cluster);
  const clusterBody = (name) =>
    bodies.cluster.replaceAll("cluster-0", name).replaceAll(uuid, `${uuid.slice(0, -2)}${name.slice(-1).padStart(2, "0")}`);
  return async (input, init = {}) => {
    const path = new URL(typeof input === "string" ? input : input.url).pathname;
    const method = init.method ?? input.method ?? "GET";
    const body = path === "/v2.0/tokens" ? bodies.tokens
      : path === "/v1/clusters" ? bodies.list
      : path.endsWith("/config") ? bodies.kubeconfig
      : method === "POST" ? '{"uuid": "018b06c5-1293-4081-8242-167a1cb9f262"}'
      : path.endsWith("/autoscale") ? bodies.autoscale : clusterBody(path.split("/")[3]);
    return { status: 200, ok: true, headers: { get: (name) => (name === "x-openstack-request-id" ? "req-1" : null) }, text: async () => body };
  };
}
