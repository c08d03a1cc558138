// `make demo`: the Worker in workerd (Miniflare), against the emulator started by
// scripts/with-emulator.sh, with js/demo/policy.json and a demo access key. It shows a
// plan, its application, a tick that changes nothing, a holiday tick and kubeconfigs
// over HTTP, reading every result back from the emulator.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Miniflare } from "miniflare";

const EMULATOR = process.env.NKS_EMULATOR_URL;
const root = new URL("../../", import.meta.url);
const wrangler = readFileSync(new URL("wrangler.toml", root), "utf8");
const policy = readFileSync(new URL("js/demo/policy.json", root), "utf8");
const DEMO_KEY = "demo-key-not-for-production";
const ACCOUNT = { tenantId: "demo-tenant", username: "demo@example.com", password: "demo-password" };

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n, title) => console.log(`\n${bold(`${n}. ${title}`)}`);
const row = (...cells) => console.log("   " + cells.map((c, i) => String(c).padEnd([10, 16, 16, 15, 0][i] ?? 0)).join(""));
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
    const summary = logs.map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((l) => l.event === "reconcile");
    return { summary, writes: (await writesSeen()) - before };
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

  const ok = first.summary.applied === 2 && second.writes === 0 && holiday.summary.applied === 1 && withKey.status === 200 && without.status === 401;
  console.log(`\n${ok ? "Done" : "Something did not go as shown"}: the Worker, the client and the emulator stop now.`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await mf.dispose();
}
