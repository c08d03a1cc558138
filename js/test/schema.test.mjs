// js/policy.schema.json agrees with the validator (the wasm's, through the package) on
// every policy of the repository's tests and docs, valid and invalid, plus cases for
// each of the schema's constructs. The schema never refuses a policy the validator
// accepts; where it accepts one the validator refuses, every mistake is of a kind
// the schema cannot express (LEFT_TO_VALIDATE, the list the README gives).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { NksClient, NksError } from "nks-edge/policy";

const ROOT = new URL("../../", import.meta.url);
const schema = JSON.parse(readFileSync(new URL("js/policy.schema.json", ROOT), "utf8"));
const check = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

/** The mistakes only the validator finds: time zone names, real dates, ordering of
 *  bounds, equal times, and counts above the policy's `max_node_count`. */
const LEFT_TO_VALIDATE = [
  /: "[^"]*" is not an IANA time zone$/,
  /: "[^"]*" is not a date \(YYYY-MM-DD\) or a range of dates$/,
  /: "[^"]*" ends before it starts$/,
  /\.min: \d+ is above max \d+$/,
  /\.to: equals `from`: leave both out for the whole day$/,
  /: must be a whole number from 1 to \d+, got \d+$/,
];

/** The validator's mistakes for `policy` (JSON text): `["field: message", …]`. A
 *  policy is validated as a whole before any request, so a client whose endpoint
 *  nothing listens on reaches the network only with a valid one. */
async function validatorIssues(text) {
  const offline = new NksClient({ endpoint: "http://127.0.0.1:9", token: "offline", retries: 0 });
  try {
    await offline.plan(text);
  } catch (error) {
    assert.ok(error instanceof NksError, String(error));
    if (error.kind !== "validation") return [];
    return error.issues.map(({ field, message }) => `${field.replace(/^policy\.?/, "")}: ${message}`);
  }
  return [];
}

/** `rules[1].when.days` for ajv's `/rules/1/when/days`. */
const fieldOf = (pointer) =>
  pointer.split("/").slice(1).reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), "");

/** The balanced `{…}` starting at `text[start]`. */
function balanced(text, start) {
  let depth = 0;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** Every JSON object in `text` that opens at a `json!(` or a fenced ```json block. */
function jsonObjects(text) {
  const out = [];
  for (const match of text.matchAll(/json!\(\s*\{|```json\s*\n\s*\{/g)) {
    const body = balanced(text, match.index + match[0].length - 1);
    try {
      out.push(JSON.parse(body));
    } catch {
      // a fragment with Rust expressions in it: not a policy
    }
  }
  return out;
}

/** tests/schedule_policy.rs's `with_rule`: a valid one-rule policy with `patch` merged in. */
function withRule(patch) {
  const rule = { name: "r", cluster: "prod", nodegroup: "w", autoscale: { min: 1, max: 3 } };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete rule[k];
    else rule[k] = v;
  }
  return { timezone: "Asia/Seoul", rules: [{ cluster: "prod", nodegroup: "x", node_count: 2 }, rule] };
}

/** The README's fenced ```json snippets of a policy's `"maintenance": [...]`, as policies. */
function maintenanceSnippets(text) {
  const out = [];
  for (const match of text.matchAll(/```json\s*\n(\s*"maintenance"[\s\S]*?)```/g)) {
    out.push(JSON.parse(`{"timezone": "Asia/Seoul", ${match[1]}}`));
  }
  return out;
}

const isPolicy = (value) => value !== null && typeof value === "object" && ("rules" in value || "timezone" in value);

/** `[source, policy]` for every policy of the repository's tests, docs and examples. */
function corpus() {
  const out = [];
  const text = (path) => readFileSync(new URL(path, ROOT), "utf8");
  for (const path of ["tests/schedule_policy.rs", "tests/schedule_plan.rs", "tests/worker.rs"]) {
    for (const value of jsonObjects(text(path))) {
      if (isPolicy(value)) out.push([path, value]);
      else if (path === "tests/schedule_policy.rs" && !("min" in value || "enable" in value)) out.push([`${path} (with_rule)`, withRule(value)]);
    }
  }
  const docs = ["README.md", ...(existsSync(new URL("docs", ROOT)) ? readdirSync(new URL("docs", ROOT)).map((f) => `docs/${f}`) : [])];
  for (const path of docs.filter((p) => p.endsWith(".md"))) {
    for (const value of jsonObjects(text(path)).filter(isPolicy)) out.push([path, value]);
    for (const value of maintenanceSnippets(text(path))) out.push([`${path} (maintenance)`, value]);
  }
  for (const path of ["js/demo/policy.json", "examples/policy.json"]) {
    if (existsSync(new URL(path, ROOT))) out.push([path, JSON.parse(text(path))]);
  }
  return out;
}

/** Cases for each construct of the schema, valid and not. */
const CONSTRUCTS = [
  { days: " mon - FRI ,sun" },
  { days: "Fri-Mon" },
  { days: "Mon-Tue-Wed" },
  { days: "Mon," },
  { days: "" },
  { from: "22:00", to: "24:00" },
  { from: "24:00", to: "06:00" },
  { from: "7:00", to: "08:00" },
  { to: "08:00" },
  { dates: ["2026-13-01"] },
  { dates: ["2026-12-24..2026-12-26", "2027-01-01"] },
  { dates: ["2026-12-24...2026-12-26"] },
  { dates: "2026-12-25" },
].map((when) => withRule({ when }))
  .concat(
    [
      { nodegroup: "default-master" },
      { nodegroup: ["a", "a"] },
      { nodegroup: [] },
      { nodegroup: " " },
      { nodegroup: ["a", 3] },
      { cluster: null },
      { cluster: "" },
      { cluster: ["prod", "dev"] },
      { cluster: ["prod", "prod"] },
      { cluster: [] },
      { cluster: ["prod", ""] },
      { name: "" },
      { node_count: 2 },
      { autoscale: null, node_count: 2 },
      { autoscale: null },
      { autoscale: {} },
      { autoscale: { enable: "yes" } },
      { autoscale: { scale_down_util_thresh: 100, scale_down_unneeded_time: 1440 } },
      { autoscale: { scale_down_delay_after_add: 0 } },
      { autoscale: { min: 1.5 } },
      { autoscale: { max: 11 } },
      { timezone: 9 },
    ].map(withRule),
  )
  .concat([
    { rules: [] },
    { timezone: "UTC" },
    { timezone: "UTC", rules: [{ cluster: "c", nodegroup: "n", node_count: 12 }], max_node_count: 12 },
    { timezone: "UTC", rules: [{ cluster: "c", nodegroup: "n", node_count: 1 }], max_node_count: 0 },
    { timezone: "UTC", rules: [{ cluster: "c", nodegroup: "n", node_count: 1 }], extra: true },
    [],
  ])
  .concat([
    { timezone: "UTC", rules: [], maintenance: [] },
    { timezone: "UTC", rules: [{ cluster: "c", nodegroup: "n", node_count: 1 }], maintenance: [] },
  ])
  .concat(
    [
      { kube_version: "1.31.4" },
      { cluster: ["a", "b"], kube_version: "v1.31.4" },
      { cluster: ["a", "a"], kube_version: "v1.31.4" },
      { cluster: [], kube_version: "v1.31.4" },
      { renew_certificates: { days_before_expiry: 30 } },
      { renew_certificates: { days_before_expiry: 30, term_of_validity: 2 }, upgrade: { num_buffer_nodes: 1 } },
      { kube_version: "1.31" },
      {},
      { when: { days: "Sat", from: "+2:00", to: "04:00" }, kube_version: "v1.31.4" },
    ].map((entry) => ({
      timezone: "UTC",
      maintenance: [{ cluster: "a", when: { days: "Sat", from: "02:00", to: "04:00" }, ...entry }],
    })),
  );

test("the schema is a valid draft 2020-12 schema with a description on every property", () => {
  const undocumented = [];
  const walk = (node, at) => {
    if (!node || typeof node !== "object") return;
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (!child.description && !child.$ref) undocumented.push(`${at}.${key}`);
      walk(child, `${at}.${key}`);
    }
    for (const [key, child] of Object.entries(node.$defs ?? {})) walk(child, `$defs.${key}`);
  };
  walk(schema, "");
  assert.deepEqual(undocumented, []);
});

test("the schema agrees with the validator on every policy of the tests, docs and examples", async () => {
  const policies = corpus().concat(CONSTRUCTS.map((p) => ["schema.test.mjs", p]));
  assert.ok(policies.length > 60, `found ${policies.length} policies`);
  let valid = 0;
  let invalid = 0;
  for (const [source, policy] of policies) {
    const issues = await validatorIssues(JSON.stringify(policy));
    const accepted = check(policy);
    const where = `${source}: ${JSON.stringify(policy)}`;
    if (issues.length === 0) {
      valid++;
      assert.ok(accepted, `${where}\nthe validator accepts it, the schema says ${JSON.stringify(check.errors)}`);
    } else if (accepted) {
      invalid++;
      const expressible = issues.filter((i) => !LEFT_TO_VALIDATE.some((p) => p.test(i)));
      assert.deepEqual(expressible, [], `${where}\nthe schema accepts what the validator refuses`);
    } else {
      invalid++;
      const paths = check.errors.map((e) => fieldOf(e.instancePath));
      const fields = issues.map((i) => i.slice(0, i.indexOf(": ")));
      assert.ok(
        paths.some((p) => fields.some((f) => f.startsWith(p) || p.startsWith(f))),
        `${where}\nschema errors at ${paths} but the validator's at ${fields}`,
      );
    }
  }
  assert.ok(valid >= 5 && invalid >= 30, `${valid} valid and ${invalid} invalid policies`);
});
