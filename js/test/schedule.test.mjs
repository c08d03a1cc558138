// Scheduled scaling against the emulator, through the package: ticks raise and lower
// bounds, a second tick writes nothing, holidays win by order, busy clusters are skipped
// then reconciled, failures stay local, DRY_RUN and the budget hold; and a seeded
// property test over random policies and instants.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { NksClient } from "nks-edge/policy";
import { EMULATOR, IDENTITY, seed, faults, clearFaults, requests, clearRequests } from "./emulator.mjs";

const STATE = {
  clusters: [
    { name: "prod", nodegroups: [
      { name: "default-worker", node_count: 2, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "3" } },
      { name: "batch", node_count: 1, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "3" } },
      { name: "fixed", node_count: 2, labels: { ca_enable: "False" } },
    ] },
    { name: "dev", status: "UPDATE_IN_PROGRESS", settle_after_ms: 1500, nodegroups: [
      { name: "default-worker", node_count: 1, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "2" } },
    ] },
  ],
};

const POLICY = {
  timezone: "Asia/Seoul",
  rules: [
    { name: "holidays", cluster: "prod", nodegroup: "default-worker",
      when: { dates: ["2026-12-25", "2027-01-01..2027-01-02"] }, autoscale: { min: 1, max: 2 } },
    { name: "business-hours", cluster: "prod", nodegroup: ["default-worker", "batch"],
      when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
    { name: "night-batch", cluster: "prod", nodegroup: "fixed", when: { from: "22:00", to: "06:00" }, node_count: 4 },
    { name: "off-hours", cluster: "prod", nodegroup: ["default-worker", "batch"], autoscale: { min: 1, max: 3 } },
    { name: "dev", cluster: "dev", nodegroup: "default-worker", autoscale: { min: 1, max: 4 } },
  ],
};

const THURSDAY_9 = "2026-11-26T09:00:00+09:00";
const CHRISTMAS_10 = "2026-12-25T10:00:00+09:00";
const nks = () => new NksClient({ endpoint: EMULATOR, identity: { ...IDENTITY, endpoint: EMULATOR }, retries: 0 });
const writes = async () => (await requests()).filter((r) => r.method === "POST" && r.path.startsWith("/v1/"));
const bounds = async (client, cluster, group) => {
  const a = await client.getAutoscale(cluster, group);
  return [a.ca_min_node_count, a.ca_max_node_count];
};
const results = (report) => Object.fromEntries(report.actions.map((a) => [`${a.cluster}/${a.nodegroup}`, a.result]));

beforeEach(async () => {
  await seed(STATE);
  await clearFaults();
});

test("a weekday 09:00 tick in Seoul raises the bounds; the same tick again writes nothing", async () => {
  const client = nks();
  const report = await client.reconcile(POLICY, THURSDAY_9);
  assert.equal(report.at, THURSDAY_9);
  assert.deepEqual(results(report), { "prod/default-worker": "applied", "prod/batch": "applied" });
  assert.deepEqual(report.skipped, [{ cluster: "dev", reason: "cluster status UPDATE_IN_PROGRESS" }]);
  assert.deepEqual(report.unchanged, [], "fixed: no rule matches at 09:00, so it is left alone");
  assert.deepEqual(await bounds(client, "prod", "default-worker"), [3, 10]);
  assert.deepEqual(await bounds(client, "prod", "batch"), [3, 10]);

  await clearRequests();
  const again = await client.reconcile(POLICY, THURSDAY_9);
  // dev may have settled meanwhile (and is then reconciled): prod is what is checked.
  assert.deepEqual(again.actions.filter((a) => a.cluster === "prod"), []);
  assert.equal(again.unchanged.filter((u) => u.cluster === "prod").length, 2);
  assert.deepEqual((await writes()).filter((w) => w.path.includes("/prod/")), [], "the emulator saw no write to prod");
});

test("a holiday tick applies the holiday rule, which comes first", async () => {
  const client = nks();
  await client.reconcile(POLICY, THURSDAY_9);
  const report = await client.reconcile(POLICY, CHRISTMAS_10); // a Friday
  assert.deepEqual(report.actions.map((a) => [a.nodegroup, a.rule, a.result]), [["default-worker", "holidays", "applied"]]);
  assert.deepEqual(report.actions[0].from, { min: 3, max: 10 });
  assert.deepEqual(report.actions[0].to, { min: 1, max: 2 });
  assert.deepEqual(report.unchanged, [{ cluster: "prod", nodegroup: "batch", rule: "business-hours" }]);
  assert.deepEqual(await bounds(client, "prod", "default-worker"), [1, 2]);
});

test("a night tick resizes the fixed group", async () => {
  const client = nks();
  const report = await client.reconcile(POLICY, "2026-11-26T23:00:00+09:00");
  const fixed = report.actions.find((a) => a.nodegroup === "fixed");
  assert.deepEqual([fixed.action, fixed.from, fixed.to, fixed.result], ["resize", { node_count: 2 }, { node_count: 4 }, "applied"]);
  assert.equal((await client.getNodeGroup("prod", "fixed")).node_count, 4);
});

test("a cluster mid-update is skipped, then reconciled by a later tick", async () => {
  const client = nks();
  const first = await client.reconcile(POLICY, THURSDAY_9);
  assert.deepEqual(first.skipped.map((s) => s.cluster), ["dev"]);
  assert.deepEqual(await bounds(client, "dev", "default-worker"), [1, 2]);
  await new Promise((resolve) => setTimeout(resolve, 1600));
  const later = await client.reconcile(POLICY, THURSDAY_9);
  assert.deepEqual(later.skipped, []);
  assert.deepEqual(results(later), { "dev/default-worker": "applied" });
  assert.deepEqual(await bounds(client, "dev", "default-worker"), [1, 4]);
});

test("injected 503s on one node group fail that action only", async () => {
  await faults({ route: "POST /v1/clusters/prod/nodegroups/batch/autoscale", error: 503 });
  const client = nks();
  const report = await client.reconcile(POLICY, THURSDAY_9);
  assert.deepEqual(results(report), { "prod/default-worker": "applied", "prod/batch": "failed" });
  const failed = report.actions.find((a) => a.nodegroup === "batch");
  assert.deepEqual([failed.error.kind, failed.error.status], ["server", 503]);
  assert.deepEqual(await bounds(client, "prod", "default-worker"), [3, 10]);
  assert.deepEqual(await bounds(client, "prod", "batch"), [1, 3]);
});

test("DRY_RUN plans and sends no write", async () => {
  await clearRequests();
  const report = await nks().reconcile(POLICY, THURSDAY_9, { dryRun: true });
  assert.equal(report.dry_run, true);
  assert.deepEqual(results(report), { "prod/default-worker": "planned", "prod/batch": "planned" });
  // A misspelt option is refused, not dropped (a dropped `dryRun` would apply).
  const typo = await nks().reconcile(POLICY, THURSDAY_9, { dryrun: true }).then(() => null, (e) => e);
  assert.equal(typo?.field, "options.dryrun");
  assert.match(typo.message, /unknown field \(did you mean "dryRun"\?\)/);
  assert.deepEqual(await writes(), []);
});

test("a cluster dearer than a whole budget is read as far as the budget goes, its writes deferred; the other waits", async () => {
  const client = nks();
  await client.listClusters(); // the token
  const report = await client.reconcile(POLICY, THURSDAY_9, { budget: 3 });
  assert.ok(report.subrequests <= 3, `${report.subrequests} subrequests`);
  // prod (its read, two node group reads, two writes: 5) never fits in 3, nor does the
  // other cluster: one is served alone, as far as the budget goes, the other waits.
  assert.equal(report.waiting.length, 1, JSON.stringify(report));
  assert.ok(report.actions.length > 0 && report.actions.every((a) => a.result === "deferred"), JSON.stringify(report));
  assert.match(report.actions[0].error.message, /more subrequests than one invocation has/);
  assert.deepEqual(await writes(), []);
});

test("budget rotation: every cluster is reached within ⌈clusters / per tick⌉ ticks, whole", async () => {
  const names = ["c0", "c1", "c2", "c3", "c4", "c5"];
  await seed({ clusters: names.map((name) => ({ name, nodegroups: [
    { name: "default-worker", node_count: 1, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "2" } },
  ] })) });
  const policy = { timezone: "UTC", rules: names.map((cluster) => ({ cluster, nodegroup: "default-worker", autoscale: { min: 1, max: 5 } })) };
  const client = nks();
  // A unit costs 3 (cluster, settings, write); 1 is kept for Identity: 7 serves 2 per tick.
  const reached = new Set();
  for (let t = 0; t < 3; t++) {
    const report = await client.reconcile(policy, Date.UTC(2026, 10, 26, 10, t), { budget: 7, tickMs: 60000 });
    assert.ok(report.subrequests <= 7);
    const served = report.actions.map((a) => a.cluster);
    assert.equal(served.length, 2, JSON.stringify(report));
    assert.ok(report.actions.every((a) => a.result === "applied"));
    assert.equal(report.waiting.length, 4);
    for (const c of served) assert.ok(!report.waiting.includes(c));
    served.forEach((c) => reached.add(c));
  }
  assert.equal(reached.size, 6, "⌈6 / 2⌉ = 3 ticks reach every cluster");
});

test("the budget is per invocation: a concurrent request on the same client does not eat it", async () => {
  await seed({ clusters: [STATE.clusters[0]] });
  const client = nks();
  await client.listClusters(); // the token
  const policy = { timezone: "UTC", rules: [{ cluster: "prod", nodegroup: "batch", autoscale: { max: 5 } }] };
  const [report] = await Promise.all([
    client.reconcile(policy, THURSDAY_9, { budget: 4 }),
    Promise.all([client.listClusters(), client.getKubeconfig("prod"), client.listClusters()]),
  ]);
  assert.equal(report.waiting.length, 0, JSON.stringify(report));
  assert.deepEqual(results(report), { "prod/batch": "applied" });
  assert.deepEqual(await bounds(client, "prod", "batch"), [1, 5]);
});

// --- Maintenance windows and transitions ---------------------------------------

const UPGRADE_STATE = {
  clusters: [{ name: "prod", kube_tag: "v1.29.3", nodegroups: [
    { name: "default-worker", node_count: 1, labels: { ca_enable: "False" } },
    { name: "batch", node_count: 1, labels: { ca_enable: "True", ca_min_node_count: "1", ca_max_node_count: "3" } },
  ] }],
};
const SAT_NIGHT = { name: "sat-night", cluster: "prod", when: { days: "Sat", from: "02:00", to: "06:00" },
  kube_version: "v1.31.4", upgrade: { num_buffer_nodes: 1, num_max_unavailable_nodes: 1 } };
const saturday = (minute) => Date.parse("2026-11-28T02:00:00+09:00") + minute * 60000;

test("a rolling upgrade across ticks: one minor at a time, control plane first, then each worker; nothing outside the window", async () => {
  await seed(UPGRADE_STATE);
  const client = nks();
  const policy = { timezone: "Asia/Seoul", rules: [], maintenance: [SAT_NIGHT] };
  await clearRequests();
  const friday = await client.reconcile(policy, "2026-11-27T03:00:00+09:00");
  assert.deepEqual(friday.actions, []);
  assert.deepEqual(await writes(), [], "nothing started outside the window");
  const log = [];
  for (let minute = 0; ; minute += 5) {
    assert.ok(minute < 120, `no end: ${JSON.stringify(log)}`);
    // Twice per instant: the second call finds the step running (in_progress) or,
    // when the emulator settled it meanwhile, does the next one; never the same twice.
    let report;
    for (let call = 0; call < 2; call++) {
      await clearRequests();
      report = await client.reconcile(policy, saturday(minute));
      const sent = (await writes()).filter((w) => w.path.endsWith("/upgrade"));
      assert.ok(sent.length <= 1, `two long operations in one tick: ${JSON.stringify(sent)}`);
      for (const a of report.actions) log.push(`${a.nodegroup} ${a.from.version}->${a.to.version} ${a.result}`);
    }
    if (report.maintenance.some((m) => m.step === "done")) break;
    await settled(client);
  }
  assert.deepEqual(log, [
    "default-master v1.29.3->v1.30.3 applied",
    "default-worker v1.29.3->v1.30.3 applied",
    "batch v1.29.3->v1.30.3 applied",
    "default-master v1.30.3->v1.31.4 applied",
    "default-worker v1.30.3->v1.31.4 applied",
    "batch v1.30.3->v1.31.4 applied",
  ]);
  const status = await client.status(policy, saturday(300));
  const prod = status.clusters[0];
  assert.equal(prod.control_plane_version, "v1.31.4");
  assert.deepEqual(prod.nodegroups.map((g) => g.version), ["v1.31.4", "v1.31.4"]);
  assert.equal(prod.maintenance_step.step, "done");
  assert.equal(prod.next_window.open, false);
  // The cluster, its node group list and its two worker groups.
  assert.equal(status.subrequests, 4);
});

test("a missed tick resumes; a failed step stops that cluster's maintenance and is reported", async () => {
  await seed(UPGRADE_STATE);
  const client = nks();
  const policy = { timezone: "Asia/Seoul", maintenance: [{ ...SAT_NIGHT, kube_version: "v1.30.3" }] };
  const first = await client.reconcile(policy, saturday(0));
  assert.deepEqual(first.actions.map((a) => [a.nodegroup, a.step]), [["default-master", "control_plane"]]);
  await settled(client);
  // Ticks missed until 04:00: the next one does the next step.
  await faults({ route: "POST /v1/clusters/prod/nodegroups/default-worker/upgrade", error: 500 });
  const later = await client.reconcile(policy, saturday(120));
  assert.deepEqual(later.actions.map((a) => [a.nodegroup, a.step, a.result]), [["default-worker", "nodegroup", "failed"]]);
  await clearFaults();
  const next = await client.reconcile(policy, saturday(125));
  assert.deepEqual(next.actions.map((a) => [a.nodegroup, a.result]), [["default-worker", "applied"]]);
});

test("the README policy: batch moves from autoscaler to fixed size and back over a day", async () => {
  await seed(UPGRADE_STATE);
  const client = nks();
  const readme = {
    timezone: "Asia/Seoul",
    rules: [
      { name: "business-hours", cluster: "prod", nodegroup: ["default-worker", "batch"],
        when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
      { name: "night-batch", cluster: "prod", nodegroup: "batch", when: { from: "22:00", to: "06:00" }, node_count: 4 },
      { name: "off-hours", cluster: "prod", nodegroup: ["default-worker", "batch"], autoscale: { min: 1, max: 3 } },
    ],
  };
  const steps = [];
  const start = Date.parse("2026-11-26T21:00:00+09:00");
  for (let k = 0; k < 27; k++) {
    const report = await client.reconcile(readme, start + k * 30 * 60000);
    const batch = report.actions.filter((a) => a.nodegroup === "batch" && a.result === "applied");
    assert.ok(batch.length <= 1, "never both steps in one tick for one node group");
    for (const a of batch) steps.push(`${report.at.slice(11, 16)} ${a.step ?? a.action}`);
    await settled(client);
  }
  assert.deepEqual(steps, ["22:00 autoscaler_off", "22:30 resize", "08:30 autoscaler_on"]);
  const group = await client.getNodeGroup("prod", "batch");
  assert.equal(group.node_count >= 3, true);
  assert.deepEqual(await bounds(client, "prod", "batch"), [3, 10]);
});

// --- A seeded property test -----------------------------------------------------

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const ZONES = ["Asia/Seoul", "America/New_York", "Europe/Berlin", "UTC"];
const TARGETS = [["prod", "default-worker"], ["prod", "batch"], ["prod", "fixed"]];

function randomPolicy(next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const hhmm = () => `${String(int(0, 23)).padStart(2, "0")}:${pick(["00", "15", "30", "45"])}`;
  const rules = [];
  for (let i = 0; i < int(1, 5); i++) {
    const [cluster, nodegroup] = pick(TARGETS);
    const when = {};
    if (next() < 0.5) when.days = next() < 0.5 ? `${pick(DAYS)}-${pick(DAYS)}` : `${pick(DAYS)},${pick(DAYS)}`;
    if (next() < 0.5) {
      when.from = hhmm();
      do when.to = hhmm(); while (when.to === when.from);
    }
    if (next() < 0.2) when.dates = [`2026-${String(int(1, 12)).padStart(2, "0")}-01..2026-12-31`];
    const rule = { name: `r${i}`, cluster, nodegroup, ...(Object.keys(when).length ? { when } : {}) };
    if (nodegroup === "fixed" && next() < 0.7) {
      rule.node_count = int(1, 10);
    } else {
      const min = int(1, 10);
      rule.autoscale = next() < 0.8 ? { min, max: int(min, 10) } : next() < 0.5 ? { min } : { max: int(1, 10) };
      if (next() < 0.3) rule.autoscale.enable = true;
    }
    if (next() < 0.3) rule.timezone = pick(ZONES);
    rules.push(rule);
  }
  return { timezone: pick(ZONES), rules };
}

/** Waits until every cluster and every node group is `*_COMPLETE` again. */
async function settled(client) {
  for (let i = 0; i < 100; i++) {
    const clusters = await client.listClusters();
    let done = clusters.every((c) => c.status.endsWith("_COMPLETE"));
    for (const c of done ? clusters : []) {
      for (const g of await client.listNodeGroups(c.name)) {
        const detail = await client.getNodeGroup(c.name, g.name);
        done &&= detail.status.endsWith("_COMPLETE");
      }
    }
    if (done) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail("the clusters did not settle");
}

const LONG = /\/(actions\/resize|upgrade)$|^\/v1\/certificates\//;

test("property: ticks converge, then reconciling again writes nothing; never two long operations in one cluster per tick; bounds stay valid", async () => {
  const CASES = Number(process.env.PROPERTY_CASES ?? 100);
  const client = nks();
  for (let i = 0; i < CASES; i++) {
    const seedValue = 1000 + i;
    const next = random(seedValue);
    const policy = randomPolicy(next);
    const at = Date.UTC(2026, 0, 1) + Math.floor(next() * 365 * 24) * 3600 * 1000 + Math.floor(next() * 60) * 60000;
    if (next() < 0.3) {
      // A maintenance window that is open at `at` (the whole day), one minor ahead.
      policy.maintenance = [{ name: "m", cluster: "prod", timezone: "UTC", when: { days: DAYS[(new Date(at).getUTCDay() + 6) % 7] },
        kube_version: next() < 0.5 ? "v1.30.3" : "v1.29.3", upgrade: { num_buffer_nodes: 1 } }];
    }
    const label = `seed ${seedValue}, at ${new Date(at).toISOString()}, policy ${JSON.stringify(policy)}`;
    await seed({ clusters: [{ ...STATE.clusters[0], kube_tag: "v1.29.3" }] });

    // Multi-step changes (autoscaler off then resize; upgrades one group at a time)
    // take several ticks: tick at the same instant until one sends nothing.
    let ticks = 0;
    for (;;) {
      assert.ok(++ticks <= 8, `no convergence in 8 ticks; ${label}`);
      await clearRequests();
      const report = await client.reconcile(policy, at);
      for (const action of report.actions) {
        const { min, max, node_count: size } = action.to;
        for (const n of [min, max, size]) if (n !== undefined) assert.ok(n >= 1 && n <= 10, `${n} out of range; ${label}`);
      }
      const sent = await writes();
      const patches = (await requests()).filter((r) => r.method === "PATCH");
      const long = [...sent, ...patches].filter((w) => LONG.test(w.path));
      assert.ok(long.length <= 1, `two long operations in one tick: ${JSON.stringify(long)}; ${label}`);
      if (sent.length === 0 && patches.length === 0) {
        assert.deepEqual(report.actions.filter((a) => a.result !== "deferred"), [], `planned but not sent; ${label}`);
        break;
      }
      await settled(client);
    }
    for (const [cluster, group] of TARGETS) {
      const [min, max] = await bounds(client, cluster, group);
      assert.ok(1 <= min && min <= max && max <= 10, `bounds ${min}..${max} of ${group}; ${label}`);
    }
    if (policy.maintenance) {
      const status = await client.status(policy, at);
      assert.equal(status.clusters[0].maintenance_step.step, "done", `${JSON.stringify(status)}; ${label}`);
    }
  }
});

test("certificates are renewed when they expire within days_before_expiry, once, and not otherwise", async () => {
  await seed({ clusters: [
    { name: "prod", certificate_expiry_in_days: 10, nodegroups: [{ name: "default-worker", node_count: 1 }] },
    { name: "dev", certificate_expiry_in_days: 400, nodegroups: [{ name: "default-worker", node_count: 1 }] },
  ] });
  const client = nks();
  const policy = { timezone: "UTC", maintenance: [{ name: "certs", cluster: ["prod", "dev"], when: { days: "Mon-Sun" },
    renew_certificates: { days_before_expiry: 30, term_of_validity: 2 } }] };
  const now = Date.now();
  const before = (await client.getCluster("prod")).labels.certificate_expiry;
  await clearRequests();
  const first = await client.reconcile(policy, now);
  assert.deepEqual(first.actions.map((a) => [a.cluster, a.action, a.result]), [["prod", "renew_certificates", "applied"]]);
  assert.deepEqual(first.actions[0].to, { term_of_validity: 2 });
  assert.deepEqual((await requests()).filter((r) => r.method === "PATCH").map((r) => r.path), ["/v1/certificates/prod"]);
  const running = await client.reconcile(policy, now);
  assert.deepEqual(running.actions, [], "not renewed twice while it runs");
  await settled(client);
  const after = (await client.getCluster("prod")).labels.certificate_expiry;
  assert.ok(Date.parse(after) > Date.parse(before) + 300 * 86400000, `${before} -> ${after}`);
  await clearRequests();
  const later = await client.reconcile(policy, now);
  assert.deepEqual(later.actions, [], "not renewed again");
  assert.deepEqual(later.maintenance.map((m) => [m.cluster, m.step]), [["prod", "done"], ["dev", "done"]]);
  assert.deepEqual((await requests()).filter((r) => r.method === "PATCH"), []);
});
