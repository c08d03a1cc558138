// `make demo`: the Worker in workerd (Miniflare), against the emulator started by
// scripts/with-emulator.sh, with js/demo/policy.json and a demo access key. It shows a
// plan, its application, a tick that changes nothing, a holiday tick, kubeconfigs over
// HTTP, a node group moving from the autoscaler to a fixed size and back, and a
// maintenance window upgrading the control plane, then each worker group, across
// ticks — reading every result back from the emulator.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Miniflare } from "miniflare";

const EMULATOR = process.env.NKS_EMULATOR_URL;
const root = new URL("../../", import.meta.url);
const wrangler = readFileSync(new URL("wrangler.toml", root), "utf8");
const policy = readFileSync(new URL("js/demo/policy.json", root), "utf8");
// The maintenance window's target: the newest version the emulator supports by default.
const TARGET = JSON.parse(policy).maintenance[0].kube_version;
const DEMO_KEY = "demo-key-not-for-production";
const ACCOUNT = { tenantId: "demo-tenant", username: "demo@example.com", password: "demo-password" };

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n, title) => console.log(`\n${bold(`${n}. ${title}`)}`);
const table = (widths) => (...cells) => console.log("   " + cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(""));
const row = table([10, 16, 16, 15]);
const wide = table([13, 34, 24, 10]);
const settings = (s) =>
  s.node_count !== undefined ? `${s.node_count} nodes` : `${s.min ?? "?"}..${s.max ?? "?"}${s.enable === undefined ? "" : s.enable ? " on" : " off"}`;

// Reads go straight to the emulator, so what is shown is what the API holds.
async function emulatorToken() {
  const body = { auth: { tenantId: ACCOUNT.tenantId, passwordCredentials: { username: ACCOUNT.username, password: ACCOUNT.password } } };
  const answer = await fetch(`${EMULATOR}/v2.0/tokens`, { method: "POST", body: JSON.stringify(body) });
  return (await answer.json()).access.token.id;
}
const token = await emulatorToken();
const api = async (path) => (await fetch(`${EMULATOR}${path}`, { headers: { "x-auth-token": token } })).json();
const bounds = async (cluster, group) => {
  const a = await api(`/v1/clusters/${cluster}/nodegroups/${group}/autoscale`);
  return a.ca_enable ? `${a.ca_min_node_count}..${a.ca_max_node_count}` : "off";
};
const writesSeen = async () =>
  (await (await fetch(`${EMULATOR}/_emulator/requests`)).json()).requests.filter((r) => r.method === "POST" && r.path.startsWith("/v1/")).length;

const logs = [];
const mf = new Miniflare({
  modules: true,
  scriptPath: new URL(/^main\s*=\s*"([^"]+)"/m.exec(wrangler)[1], root).pathname,
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wrangler)[1],
  bindings: {
    NKS_ENDPOINT: EMULATOR,
    NHN_IDENTITY_URL: EMULATOR,
    NHN_TENANT_ID: ACCOUNT.tenantId,
    NHN_USERNAME: ACCOUNT.username,
    NHN_API_PASSWORD: ACCOUNT.password,
    DRY_RUN: "false",
    SCALE_POLICY: policy,
    ACCESS_KEYS: JSON.stringify([{ name: "demo", sha256: createHash("sha256").update(DEMO_KEY).digest("hex"),
      scopes: ["kubeconfig", "plan", "reconcile"], clusters: ["*"] }]),
  },
  structuredWorkerdLogs: true,
  handleStructuredLogs: ({ message }) => {
    logs.push(message);
  },
});

try {
  const worker = await mf.getWorker();
  const call = (path, key = DEMO_KEY) =>
    mf.dispatchFetch(`http://nks-edge.local${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const tick = async (at) => {
    logs.length = 0;
    const before = await writesSeen();
    await worker.scheduled({ scheduledTime: new Date(at), cron: "*/5 * * * *" });
    const lines = logs.map((l) => { try { return JSON.parse(l); } catch { return {}; } });
    const summary = lines.find((l) => l.event === "reconcile");
    const actions = lines.filter((l) => l.event === "action");
    const maintenance = lines.filter((l) => l.event === "maintenance");
    return { summary, actions, maintenance, writes: (await writesSeen()) - before };
  };
  // Waits until the emulator has settled every operation the last tick started.
  const settle = async () => {
    for (let i = 0; i < 200; i++) {
      const prod = await api("/v1/clusters/prod");
      const groups = await Promise.all(["default-worker", "batch", "gpu"].map((g) => api(`/v1/clusters/prod/nodegroups/${g}`)));
      if ([prod, ...groups].every((x) => x.status.endsWith("_COMPLETE"))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("the emulator did not settle");
  };
  const groups = [["prod", "default-worker"], ["prod", "batch"], ["dev", "default-worker"]];

  console.log(bold("nks-edge demo") + ` — the Worker in workerd, against the NKS emulator at ${EMULATOR}`);
  console.log("   policy: js/demo/policy.json (Asia/Seoul: holidays, business hours Mon-Fri 08:30-19:00, off-hours)");

  const THURSDAY_9 = "2026-11-26T09:00:00+09:00";
  step(1, `The plan at ${THURSDAY_9} (a Thursday), from GET /v1/plan`);
  const plan = await (await call(`/v1/plan?at=${encodeURIComponent(THURSDAY_9)}`)).json();
  row("cluster", "node group", "rule", "action", "change");
  for (const a of plan.actions) {
    row(a.cluster, a.nodegroup, a.rule, a.action, `${settings(a.from)} -> ${settings(a.to)}`);
  }
  for (const s of plan.skipped) row(s.cluster, "(all)", "-", "skipped", s.reason);

  step(2, "A cron tick at that instant applies it (bounds read back from the emulator)");
  const before = await Promise.all(groups.map(([c, g]) => bounds(c, g)));
  const first = await tick(THURSDAY_9);
  const after = await Promise.all(groups.map(([c, g]) => bounds(c, g)));
  row("cluster", "node group", "before", "after");
  groups.forEach(([c, g], i) => row(c, g, before[i], after[i]));
  console.log(`   applied ${first.summary.applied}, skipped ${first.summary.skipped} (dev is mid-update), writes sent: ${first.writes}`);

  step(3, "The same tick again changes nothing");
  const second = await tick(THURSDAY_9);
  console.log(`   applied ${second.summary.applied}, unchanged ${second.summary.unchanged}, writes sent: ${second.writes}`);

  const CHRISTMAS = "2026-12-25T10:00:00+09:00";
  step(4, `A holiday tick, ${CHRISTMAS} (a Friday: the holiday rule comes first)`);
  const holiday = await tick(CHRISTMAS);
  row("cluster", "node group", "now");
  for (const [c, g] of groups.slice(0, 2)) row(c, g, await bounds(c, g));
  console.log(`   applied ${holiday.summary.applied}, writes sent: ${holiday.writes}`);

  step(5, "A kubeconfig over HTTP: GET /v1/clusters/prod/kubeconfig");
  const withKey = await call("/v1/clusters/prod/kubeconfig");
  const yaml = await withKey.text();
  console.log(`   with the demo key: ${withKey.status}, ${withKey.headers.get("content-type")}, cache-control ${withKey.headers.get("cache-control")}`);
  console.log(`   ${yaml.split("\n").find((l) => l.includes("server:")).trim()}   (${yaml.split("\n").length - 1} lines of YAML)`);
  const without = await call("/v1/clusters/prod/kubeconfig", null);
  console.log(`   without a key:     ${without.status}, ${(await without.json()).error.message}`);

  step(6, "batch moves from the autoscaler to a fixed size and back (night-batch: node_count 4, 22:00-06:00)");
  wide("tick", "step (rule)", "batch now");
  const moves = [];
  for (const at of ["2026-11-26T21:55:00+09:00", "2026-11-26T22:00:00+09:00", "2026-11-26T22:05:00+09:00", "2026-11-27T06:00:00+09:00", "2026-11-27T08:30:00+09:00"]) {
    const t = await tick(at);
    const batch = t.actions.filter((a) => a.nodegroup === "batch");
    await settle();
    const g = await api("/v1/clusters/prod/nodegroups/batch");
    const now = `${await bounds("prod", "batch")}, ${g.node_count} nodes`;
    const what = batch.map((a) => `${a.step ?? a.action} (${a.rule})`).join(", ") || "-";
    moves.push(batch.map((a) => a.step ?? a.action).join(","));
    wide(at.slice(5, 16).replace("T", " "), what, now);
  }
  console.log("   one step per tick: the autoscaler goes off, the resize follows once the cluster is *_COMPLETE,");
  console.log("   and business hours turn the autoscaler back on.");

  step(7, `A maintenance window (Sun 10:00-14:00: certificates due within 30 days, kube_version ${TARGET}): one step per tick, control plane first`);
  wide("tick", "node group", "upgrade", "result");
  const upgrades = [];
  const sunday = Date.parse("2026-11-29T10:00:00+09:00");
  for (let k = 0; k < 12; k++) {
    const at = new Date(sunday + k * 5 * 60000);
    const t = await tick(at.toISOString());
    for (const a of t.actions.filter((a) => a.action === "upgrade" || a.action === "renew_certificates")) {
      const when = `Sun 10:${String(k * 5).padStart(2, "0")}`;
      if (a.action === "upgrade") {
        upgrades.push(a.nodegroup);
        wide(when, a.nodegroup, `${a.from.version} -> ${a.to.version}`, a.result);
      } else {
        wide(when, "(certificates)", `renewed for ${a.to.term_of_validity} year`, a.result);
      }
    }
    if (t.maintenance.some((m) => m.step === "done")) {
      console.log(`   Sun 10:${String(k * 5).padStart(2, "0")}: every node group is at ${TARGET}; the maintenance is done.`);
      break;
    }
    await settle();
  }
  const versions = [(await api("/v1/clusters/prod")).labels.kube_tag];
  for (const g of ["default-worker", "batch", "gpu"]) versions.push((await api(`/v1/clusters/prod/nodegroups/${g}`)).labels.kube_tag);
  console.log(`   versions now (control plane, default-worker, batch, gpu): ${versions.join(", ")}`);

  const ok = first.summary.applied === 2 && second.writes === 0 && holiday.summary.applied === 1 && withKey.status === 200 && without.status === 401
    && moves.join("|") === "set_autoscale|autoscaler_off|resize||autoscaler_on"
    && upgrades.join(",") === "default-master,default-worker,batch,gpu" && versions.every((v) => v === TARGET);
  console.log(`\n${ok ? "Done" : "Something did not go as shown"}: the Worker, the client and the emulator stop now.`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await mf.dispose();
}
