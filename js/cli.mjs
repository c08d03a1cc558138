#!/usr/bin/env node
// The `nks-edge` command: validate, plan and apply scaling policies, draw a policy's
// week, fetch a kubeconfig. Node >= 20, no dependencies beyond this package.
// Exit codes: 0 ok, 1 a problem was found or a call failed, 2 the command line is wrong.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { NksClient, NksError, validatePolicy, calendar } from "./policy/node.mjs";

const USAGE = `Usage: nks-edge COMMAND [OPTIONS]

Commands:
  validate POLICY               check a scaling policy; lists every mistake (rule and field)
  plan POLICY [--at INSTANT] [--budget N]
                                what the policy would change now (or at INSTANT); applies nothing
  reconcile POLICY [--at INSTANT] [--budget N] [--dry-run]
                                apply the policy's plan for now (or INSTANT); print the report
  calendar POLICY [--week DATE] the policy's week (containing DATE, default today) as SVG
  kubeconfig CLUSTER            print a cluster's kubeconfig (YAML)

POLICY is a JSON file, or - for standard input.

Options:
  --json         print the plan or report as JSON (plan, reconcile)
  --budget N     most requests a run sends (plan, reconcile; default 1000): clusters
                 beyond it are listed as waiting, for a later run
  -h, --help     show this help
  -v, --version  show the version

Environment (plan, reconcile, kubeconfig):
  NKS_ENDPOINT or NKS_REGION (kr1, kr2, kr3)             where the NKS API is
  NKS_TOKEN, or NHN_TENANT_ID + NHN_USERNAME + NHN_API_PASSWORD  the credentials
  NHN_IDENTITY_URL                                       Identity's base URL (optional)

Exit status: 0 ok, 1 a problem found or a call failed, 2 a usage error.`;

/** A mistake on the command line: printed with a pointer to --help, exit 2. */
class UsageError extends Error {}

const COMMANDS = {
  validate: { args: ["POLICY"], options: {} },
  plan: { args: ["POLICY"], options: { at: { type: "string" }, budget: { type: "string" }, json: { type: "boolean" } } },
  reconcile: {
    args: ["POLICY"],
    options: { at: { type: "string" }, budget: { type: "string" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } },
  },
  calendar: { args: ["POLICY"], options: { week: { type: "string" } } },
  kubeconfig: { args: ["CLUSTER"], options: {} },
};

function version() {
  return JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).version;
}

/** The command, its positional argument and its options, or a UsageError. */
function parseCommandLine(argv) {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError("no command given");
  if (name === "-h" || name === "--help" || name === "help") return { name: "help" };
  if (name === "-v" || name === "--version") return { name: "version" };
  // Own keys only: `constructor` or `toString` is no command.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${name}: ${error.message}`);
  }
  if (parsed.values.help) return { name: "help" };
  const [argument, ...extra] = parsed.positionals;
  if (argument === undefined || argument === "") throw new UsageError(`${name}: missing ${command.args[0]}`);
  if (extra.length > 0) throw new UsageError(`${name}: unexpected argument ${JSON.stringify(extra[0])}`);
  return { name, argument, options: parsed.values };
}

/** The policy's text, from a file or standard input (`-`), without the byte-order
 *  mark some Windows editors write first (JSON does not allow one). */
function readPolicy(path) {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    throw new UsageError(`cannot read the policy ${JSON.stringify(path)}: ${error.code ?? error.message}`);
  }
}

/** A run's subrequest budget: a terminal has no Worker's limit, so a whole fleet by default. */
const CLI_BUDGET = 1000;

/** `--budget N`: a whole number of at least 2 (Identity's request and one more). */
function budgetOf(text) {
  if (text === undefined) return CLI_BUDGET;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 2 && n <= 4294967295)) throw new UsageError(`--budget: must be a whole number of at least 2, got ${JSON.stringify(text)}`);
  return n;
}

/** The environment variable each client option comes from, for errors that name it. */
const VARIABLES = {
  endpoint: "NKS_ENDPOINT",
  region: "NKS_REGION",
  token: "NKS_TOKEN",
  "identity.endpoint": "NHN_IDENTITY_URL",
  "identity.tenantId": "NHN_TENANT_ID",
  "identity.username": "NHN_USERNAME",
  "identity.password": "NHN_API_PASSWORD",
};

/** Options and option values from the command line, by the field an error names. */
const OPTION_FIELDS = { at: "--at", week: "--week" };

/** `error` as a UsageError naming `names[error.field]` when it is a validation error of
 *  one of those fields (a bad value given on the command line or in the environment). */
function asUsage(error, names) {
  const name = error instanceof NksError && error.kind === "validation" ? names[error.field] : undefined;
  if (name === undefined) return error;
  const issue = (error.issues ?? []).find((i) => i.field === error.field);
  return new UsageError(`${name}: ${issue?.message ?? error.message}`);
}

/** Client options from the environment; only set variables are used. */
function clientOptions(env) {
  const options = {};
  if (env.NKS_ENDPOINT) options.endpoint = env.NKS_ENDPOINT;
  else if (env.NKS_REGION) options.region = env.NKS_REGION;
  else throw new UsageError("set NKS_ENDPOINT (a base URL) or NKS_REGION (kr1, kr2 or kr3)");
  if (env.NKS_TOKEN) {
    options.token = env.NKS_TOKEN;
  } else if (env.NHN_TENANT_ID && env.NHN_USERNAME && env.NHN_API_PASSWORD) {
    options.identity = { tenantId: env.NHN_TENANT_ID, username: env.NHN_USERNAME, password: env.NHN_API_PASSWORD };
    if (env.NHN_IDENTITY_URL) options.identity.endpoint = env.NHN_IDENTITY_URL;
  } else {
    throw new UsageError("set NKS_TOKEN, or NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD");
  }
  return options;
}

/** The policy's mistakes (`[{field, message}]`, empty when valid). */
function policyIssues(text) {
  try {
    validatePolicy(text);
    return [];
  } catch (error) {
    if (error instanceof NksError && error.kind === "validation") return error.issues ?? [];
    throw error;
  }
}

/** `field: message`, the field relative to the policy file (`rules[1].when.days`). */
function line(field, message) {
  const relative = (field ?? "").replace(/^policy(\.|$)/, "");
  return relative ? `${relative}: ${message}` : message;
}

async function validate(text, out) {
  const issues = policyIssues(text);
  if (issues.length === 0) {
    out.log("valid");
    return 0;
  }
  out.error(`the policy has ${issues.length} ${issues.length === 1 ? "mistake" : "mistakes"}:`);
  for (const { field, message } of issues) out.error(`  ${line(field, message)}`);
  return 1;
}

/** Left-aligned columns, with a header row. */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const format = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd();
  return [format(header), ...rows.map(format)].join("\n");
}

const settings = (value) =>
  value === null || value === undefined
    ? "-"
    : typeof value === "object"
      ? Object.entries(value).map(([k, v]) => `${k}=${v}`).join(" ")
      : String(value);

/** The plan or report as text: one table of actions, then the rest. */
function formatReport(report) {
  const parts = [`at ${report.at}${report.dry_run ? " (dry run: nothing applied)" : ""}`];
  if (report.actions.length > 0) {
    const rows = report.actions.map((a) => [
      a.cluster,
      // A certificate renewal is the cluster's own.
      a.nodegroup ?? "-",
      a.rule,
      a.action,
      settings(a.from),
      settings(a.to),
      a.error ? `${a.result}: ${a.error.message}` : a.result,
    ]);
    parts.push(table(["CLUSTER", "NODEGROUP", "RULE", "ACTION", "FROM", "TO", "RESULT"], rows));
  } else {
    parts.push("no changes");
  }
  for (const m of report.maintenance ?? []) {
    const where = m.nodegroup ? ` ${m.nodegroup}` : "";
    parts.push(`maintenance: ${m.cluster} (${m.maintenance}): ${m.step}${where}${m.detail ? `: ${m.detail}` : ""}`);
  }
  for (const u of report.unchanged) parts.push(`unchanged: ${u.cluster}/${u.nodegroup} (rule ${u.rule})`);
  for (const d of report.deferred ?? []) parts.push(`deferred: ${d.cluster}/${d.nodegroup} (rule ${d.rule})`);
  for (const s of report.skipped) parts.push(`skipped: ${s.cluster}: ${s.reason}`);
  for (const e of report.errors) {
    const where = [e.cluster, e.nodegroup].filter(Boolean).join("/");
    parts.push(`error: ${where}${e.rule ? ` (rule ${e.rule})` : ""}: ${e.error.message}`);
  }
  if ((report.waiting ?? []).length > 0) {
    parts.push(`waiting (beyond the budget; a later run reaches them): ${report.waiting.join(", ")}`);
  }
  return parts.join("\n");
}

/** Whether a report holds a failure: an error, or an action that failed. */
const failed = (report) => report.errors.length > 0 || report.actions.some((a) => a.result === "failed");

async function run(command, out, env) {
  const { name, argument, options } = command;
  if (name === "validate") return validate(readPolicy(argument), out);
  if (name === "calendar") {
    // `{ week, timezone, …, svg }`: the same drawing as the dashboard's; the week that
    // contains --week (YYYY-MM-DD), by default the current one in the policy's zone.
    const text = readPolicy(argument);
    try {
      out.log(calendar(text, options.week).svg);
    } catch (error) {
      throw asUsage(error, OPTION_FIELDS);
    }
    return 0;
  }
  let client;
  try {
    client = new NksClient(clientOptions(env));
  } catch (error) {
    throw asUsage(error, VARIABLES);
  }
  if (name === "kubeconfig") {
    out.write(await client.getKubeconfig(argument));
    return 0;
  }
  const text = readPolicy(argument);
  const budget = budgetOf(options.budget);
  let report;
  try {
    report =
      name === "plan"
        ? await client.plan(text, options.at, { budget })
        : await client.reconcile(text, options.at, { dryRun: options["dry-run"] ?? false, budget });
  } catch (error) {
    throw asUsage(error, OPTION_FIELDS);
  }
  out.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return failed(report) ? 1 : 0;
}

/** Runs the command line `argv`; answers the exit status. `out` prints: `log` and
 *  `write` to standard output, `error` to standard error. */
async function main(argv, env, out) {
  try {
    const command = parseCommandLine(argv);
    if (command.name === "help") {
      out.log(USAGE);
      return 0;
    }
    if (command.name === "version") {
      out.log(version());
      return 0;
    }
    return await run(command, out, env);
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`nks-edge: ${error.message}\nRun \`nks-edge --help\` for usage.`);
      return 2;
    }
    if (error instanceof NksError) {
      out.error(`nks-edge: ${error.message}`);
      // A single issue is the message itself.
      const issues = error.issues ?? [];
      if (issues.length > 1) for (const { field, message } of issues) out.error(`  ${line(field, message)}`);
      return 1;
    }
    out.error(`nks-edge: ${error.message}`);
    return 1;
  }
}

const out = { log: console.log, error: console.error, write: (text) => process.stdout.write(text) };
process.exitCode = await main(process.argv.slice(2), process.env, out);
