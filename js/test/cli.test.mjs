// `npx nks-edge …` as a user runs it: the CLI of the installed tarball, in a child
// process, against the emulator. Exit codes: 0 ok, 1 problem/failure, 2 usage.
import { test, before, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { install, run } from "./tarball.mjs";
import { EMULATOR, reset, seed, apiCalls, clearRequests, SIGNED_IN } from "./emulator.mjs";

const DEMO_POLICY = new URL("../demo/policy.json", import.meta.url).pathname;
const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
const files = mkdtempSync(join(tmpdir(), "nks-edge-cli-"));
let project;

before(async () => {
  ({ project } = await install());
});
beforeEach(() => reset());

/** The environment a user sets: the emulator as endpoint and Identity. */

/** Runs `nks-edge ...args` (npx, from the project) with only `env` set beyond PATH. */
async function cli(args, env = {}) {
  const options = { cwd: project, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } };
  try {
    const { stdout, stderr } = await run("npx", ["--no-install", "nks-edge", ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== "number") throw error;
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

function policyFile(name, policy) {
  const path = join(files, name);
  writeFileSync(path, typeof policy === "string" ? policy : JSON.stringify(policy));
  return path;
}

test("--help and --version answer on stdout with exit 0", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  for (const command of ["validate POLICY", "plan POLICY", "reconcile POLICY", "calendar POLICY", "kubeconfig CLUSTER"]) {
    assert.ok(help.stdout.includes(command), command);
  }
  assert.deepEqual(await cli(["--version"]), { code: 0, stdout: `${VERSION}\n`, stderr: "" });
  assert.equal((await cli(["plan", "--help"])).code, 0);
});

test("usage mistakes exit 2 with the reason on stderr", async () => {
  for (const [args, reason] of [
    [[], "no command given"],
    [["scale", "x"], 'unknown command "scale"'],
    // Names every object has are no commands (one of them ran `reconcile`).
    [["constructor", DEMO_POLICY], 'unknown command "constructor"'],
    [["__proto__", DEMO_POLICY], 'unknown command "__proto__"'],
    [["toString"], 'unknown command "toString"'],
    [["kubeconfig", ""], "kubeconfig: missing CLUSTER"],
    [["plan"], "plan: missing POLICY"],
    [["plan", DEMO_POLICY, "--dry-run"], "plan: Unknown option '--dry-run'"],
    [["validate", DEMO_POLICY, "extra"], 'validate: unexpected argument "extra"'],
    [["validate", join(files, "absent.json")], "cannot read the policy"],
    [["plan", DEMO_POLICY], "set NKS_ENDPOINT (a base URL) or NKS_REGION"],
    [["kubeconfig", "prod"], "set NKS_ENDPOINT"],
  ]) {
    const { code, stdout, stderr } = await cli(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "");
    assert.ok(stderr.includes(reason), `${args.join(" ")}: ${stderr}`);
    assert.ok(stderr.includes("nks-edge --help"));
  }
  const tokenless = await cli(["plan", DEMO_POLICY], { NKS_ENDPOINT: EMULATOR });
  assert.equal(tokenless.code, 2);
  assert.match(tokenless.stderr, /set NKS_TOKEN, or NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD/);
});

test("a bad option value or environment variable is a usage mistake naming it, said once, exit 2", async () => {
  for (const [args, env, reason] of [
    [["plan", DEMO_POLICY, "--at", "garbage"], SIGNED_IN, "--at: is not an RFC 3339 instant"],
    [["reconcile", DEMO_POLICY, "--budget", "1"], SIGNED_IN, '--budget: must be a whole number of at least 2, got "1"'],
    [["calendar", DEMO_POLICY, "--week", "nope"], {}, "--week: must be a date YYYY-MM-DD"],
    [["plan", DEMO_POLICY], { ...SIGNED_IN, NKS_ENDPOINT: "", NKS_REGION: "kr9" }, 'NKS_REGION: "kr9" is not a region'],
    [["kubeconfig", "prod"], { ...SIGNED_IN, NKS_ENDPOINT: "not a url" }, "NKS_ENDPOINT: is not an absolute http(s) URL"],
    // A path after a query or fragment would send every call to the base.
    [["kubeconfig", "prod"], { ...SIGNED_IN, NKS_ENDPOINT: `${EMULATOR}?x=1` }, "NKS_ENDPOINT: must be a base URL, without a query (?) or fragment (#)"],
    [["kubeconfig", "prod"], { ...SIGNED_IN, NKS_ENDPOINT: `${EMULATOR} ` }, "NKS_ENDPOINT: must not contain spaces"],
    [["kubeconfig", "prod"], { ...SIGNED_IN, NHN_IDENTITY_URL: `${EMULATOR}/#t` }, "NHN_IDENTITY_URL: must be a base URL, without a query (?) or fragment (#)"],
  ]) {
    const { code, stdout, stderr } = await cli(args, env);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "");
    assert.ok(stderr.includes(reason), `${args.join(" ")}: ${stderr}`);
    assert.equal(stderr.split(reason).length, 2, `said once: ${stderr}`);
  }
});

test("the text report shows a renewal without a node group, each maintenance step, and the clusters left waiting", async () => {
  await seed({ clusters: [
    { name: "prod", labels: { certificate_expiry: "2026-12-10T00:00:00+00:00" }, nodegroups: [{ name: "default-worker", node_count: 1 }] },
    { name: "dev", nodegroups: [{ name: "default-worker", node_count: 1 }] },
  ] });
  const policy = policyFile("renewals.json", { timezone: "Asia/Seoul", maintenance: [
    { name: "sunday", cluster: ["prod", "dev"], when: { days: "Sun", from: "10:00", to: "12:00" },
      renew_certificates: { days_before_expiry: 30, term_of_validity: 1 } },
  ] });
  const at = "2026-11-29T11:00:00+09:00"; // a Sunday
  const plan = await cli(["plan", policy, "--at", at], SIGNED_IN);
  assert.equal(plan.code, 0, plan.stderr);
  const lines = plan.stdout.split("\n");
  assert.ok(
    lines.some((l) => /^prod\s+-\s+sunday\s+renew_certificates\s+certificate_expiry=2026-12-10T00:00:00\+00:00\s+term_of_validity=1\s+planned$/.test(l)),
    plan.stdout,
  );
  assert.ok(lines.includes("maintenance: prod (sunday): certificates"), plan.stdout);
  assert.ok(!plan.stdout.includes("undefined"), plan.stdout);
  // Identity's request and one more: no cluster fits whole; one is served as far as
  // the budget goes (its read), the other waits.
  const tight = await cli(["plan", policy, "--at", at, "--budget", "2"], SIGNED_IN);
  assert.equal(tight.code, 0, tight.stderr);
  assert.match(tight.stdout, /waiting \(beyond the budget; a later run reaches them\): (prod|dev)\n/);
  assert.ok(!tight.stdout.includes("prod, dev"), tight.stdout);

  // A failed cluster stops its maintenance: an error, exit 1, as a failed node group's.
  await seed({ clusters: [
    { name: "prod", status: "UPDATE_FAILED", nodegroups: [{ name: "default-worker", node_count: 1 }] },
    { name: "dev", nodegroups: [{ name: "default-worker", node_count: 1 }] },
  ] });
  const stopped = await cli(["reconcile", policy, "--at", at], SIGNED_IN);
  assert.equal(stopped.code, 1, stopped.stdout);
  assert.ok(stopped.stdout.includes("maintenance: prod (sunday): stopped: cluster status UPDATE_FAILED"), stopped.stdout);
  assert.deepEqual(stopped.stdout.split("\n").filter((l) => l.startsWith("error:")), [
    "error: prod (rule sunday): the cluster is UPDATE_FAILED: its maintenance stops until it is fixed",
  ]);
});

test("validate needs no credentials: a valid policy exits 0, each mistake is listed with its rule and field, exit 1", async () => {
  await clearRequests();
  assert.deepEqual(await cli(["validate", DEMO_POLICY]), { code: 0, stdout: "valid\n", stderr: "" });
  // A byte-order mark (some Windows editors write one) is not part of the JSON.
  const marked = policyFile("bom.json", `\uFEFF${readFileSync(DEMO_POLICY, "utf8")}`);
  assert.deepEqual(await cli(["validate", marked]), { code: 0, stdout: "valid\n", stderr: "" });
  const bad = policyFile("bad.json", {
    timezone: "Mars/Olympus",
    rules: [
      { cluster: "prod", nodegroup: "w", when: { days: "Mon-Fry" }, autoscale: { min: 1, max: 3 } },
      { cluster: "prod", nodegroup: "w", autoscale: { min: 4, max: 3 } },
      { cluster: "prod", nodegroup: "w", node_count: 2, colour: "red" },
    ],
  });
  const { code, stdout, stderr } = await cli(["validate", bad]);
  assert.equal(code, 1);
  assert.equal(stdout, "");
  const lines = stderr.trim().split("\n");
  assert.equal(lines[0], "the policy has 4 mistakes:");
  assert.deepEqual(lines.slice(1).map((l) => l.trim()).sort(), [
    'rules[0].when.days: "Mon-Fry" is not a day range',
    "rules[1].autoscale.min: 4 is above max 3",
    "rules[2].colour: unknown field (known: name, cluster, nodegroup, timezone, when, autoscale, node_count)",
    'timezone: "Mars/Olympus" is not an IANA time zone',
  ]);
  const notJson = await cli(["validate", policyFile("broken.json", "{ timezone: ")]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /is not valid JSON/);
  assert.deepEqual(await apiCalls(), [], "validate sent nothing to the emulator");
});

test("plan prints a table (or --json) of what the policy would change, and applies nothing", async () => {
  // Thursday 10:00 in Seoul: business hours.
  const at = "2026-11-26T10:00:00+09:00";
  const table = await cli(["plan", DEMO_POLICY, "--at", at], SIGNED_IN);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.split("\n");
  assert.equal(lines[0], "at 2026-11-26T10:00:00+09:00 (dry run: nothing applied)");
  assert.match(lines[1], /^CLUSTER\s+NODEGROUP\s+RULE\s+ACTION\s+FROM\s+TO\s+RESULT$/);
  assert.ok(
    lines.some((l) => /^prod\s+default-worker\s+business-hours\s+set_autoscale\s+.*max=3 min=1\s+.*max=10 min=3\s+planned$/.test(l)),
    table.stdout,
  );
  const json = await cli(["plan", DEMO_POLICY, "--at", at, "--json"], SIGNED_IN);
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.at, at);
  assert.ok(report.actions.length > 0);
  assert.ok(report.actions.every((a) => a.result === "planned"));
  assert.deepEqual((await apiCalls()).filter((c) => !c.startsWith("GET ")), [], "a plan only reads");
});

test("reconcile applies the plan (--dry-run applies nothing); a second run has no changes", async () => {
  const env = { ...SIGNED_IN };
  // Thursday 10:00 in Seoul, business hours: the seed's bounds differ from the rule's.
  // (Off hours they equal the off-hours rule's: at an unpinned instant there might be
  // nothing to apply.)
  const at = ["--at", "2026-11-26T10:00:00+09:00"];
  const dry = await cli(["reconcile", DEMO_POLICY, ...at, "--dry-run", "--json"], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(JSON.parse(dry.stdout).dry_run, true);
  assert.deepEqual((await apiCalls()).filter((c) => !c.startsWith("GET ")), []);

  const applied = await cli(["reconcile", DEMO_POLICY, ...at, "--json"], env);
  assert.equal(applied.code, 0, applied.stderr);
  const report = JSON.parse(applied.stdout);
  assert.equal(report.at, at[1]);
  assert.ok(report.actions.length > 0);
  assert.ok(report.actions.every((a) => a.result === "applied"), applied.stdout);
  assert.ok((await apiCalls()).some((c) => !c.startsWith("GET ")), "writes were sent");

  const again = await cli(["reconcile", DEMO_POLICY, ...at], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /\nno changes\n/);
});

test("a failure exits 1 with the error, and never prints the password", async () => {
  const wrong = await cli(["plan", DEMO_POLICY], { ...SIGNED_IN, NHN_API_PASSWORD: "wrong-secret-password" });
  assert.equal(wrong.code, 1);
  assert.ok(!`${wrong.stdout}${wrong.stderr}`.includes("wrong-secret-password"));
  assert.match(`${wrong.stdout}${wrong.stderr}`, /error|nks-edge:/);
});

test("kubeconfig prints the cluster's YAML; an unknown cluster exits 1", async () => {
  const { code, stdout } = await cli(["kubeconfig", "prod"], SIGNED_IN);
  assert.equal(code, 0);
  const config = parseYaml(stdout);
  assert.equal(config.kind, "Config");
  assert.match(config.clusters[0].cluster.server, /^https:\/\//);
  const ghost = await cli(["kubeconfig", "ghost"], SIGNED_IN);
  assert.equal(ghost.code, 1);
  assert.equal(ghost.stdout, "");
  assert.match(ghost.stderr, /^nks-edge: .*ghost/);
});

// The wasm export `calendar(policy, week)` comes with the dashboard's branch.

test("calendar draws the policy's week as SVG on stdout", async () => {
  const { code, stdout, stderr } = await cli(["calendar", DEMO_POLICY, "--week", "2026-11-23"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^<svg[\s>]/);
  assert.match(stdout, /business-hours/);
  assert.match(stdout, /<\/svg>\n$/);
  const bad = await cli(["calendar", policyFile("bad-calendar.json", { timezone: "UTC", rules: [] })]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /rules/);
});
