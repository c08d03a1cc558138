// The nks-edge dashboard (served by the Worker at GET /). With an access key it shows,
// through the Worker: the clusters and node groups (the package's NksClient against the
// gateway /nks), the policy's week (the package's wasm draws it), the node-hours it
// allows, the plan at an instant and the latest tick reports.
//
// The key comes from the form or a `#key=…` fragment (never sent to a server), is kept
// in sessionStorage only (gone when the tab closes) and travels only in the
// Authorization header of same-origin requests.
import { NksClient, calendar } from "./nks-edge/policy/browser.mjs";

const STORE = "nks-edge.accessKey";
const REPORTS = 10;
const DAY_MS = 86_400_000;
const $ = (id) => document.getElementById(id);

let key = null;
let nks = null;
let policy = null;
/** Bumped when a key is forgotten or opened: a load of an earlier one writes nothing. */
let session = 0;
let shownWeek = null;

/** An element with text children (never HTML). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A failure of a Worker route (`{"error":{"kind","message"}}`), like an NksError. */
class WorkerError extends Error {
  constructor(status, kind, message) {
    super(message);
    this.name = "WorkerError";
    this.status = status;
    this.kind = kind;
  }
}

/** An error in words: what went wrong and what to do. */
function explain(error, scope) {
  const message = error?.message ?? String(error);
  switch (error?.status) {
    case 401:
      return `The Worker did not accept this access key (401): check it, or ask whoever runs the Worker for one. (${message})`;
    case 403:
      return `This access key may not do this (403)${scope ? `: it needs the "${scope}" scope` : ""}, and the cluster must be in its list. (${message})`;
    default:
      return message;
  }
}

function showError(id, error, scope) {
  const node = $(id);
  node.textContent = explain(error, scope);
  node.hidden = false;
}

function clearError(id) {
  $(id).hidden = true;
  $(id).textContent = "";
}

/** GET a Worker route with the key; its JSON, or a WorkerError. */
async function route(path) {
  let response;
  try {
    response = await fetch(path, { headers: { authorization: `Bearer ${key}` }, cache: "no-store" });
  } catch (e) {
    throw new WorkerError(0, "network", `The Worker could not be reached (${path}): ${e.message}`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: said below.
  }
  if (!response.ok) {
    const message = body?.error?.message ?? `HTTP ${response.status} from ${path}`;
    throw new WorkerError(response.status, body?.error?.kind ?? "http", message);
  }
  if (body === null) throw new WorkerError(response.status, "invalid_response", `${path} did not answer JSON`);
  return body;
}

// ---- Key ----------------------------------------------------------------------

/** `%XX` escapes decoded, `+` kept (URLSearchParams would make a base64 key's `+` a space). */
function unescapeKey(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function readKey() {
  const parts = location.hash.slice(1).split("&").filter(Boolean);
  const at = parts.findIndex((p) => p.startsWith("key="));
  const given = at >= 0 ? unescapeKey(parts[at].slice("key=".length)) : "";
  if (given) {
    sessionStorage.setItem(STORE, given);
    parts.splice(at, 1);
    const rest = parts.join("&");
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    return given;
  }
  return sessionStorage.getItem(STORE);
}

function forget() {
  sessionStorage.removeItem(STORE);
  key = null;
  nks = null;
  session++;
  document.body.dataset.state = "";
  // What the key showed goes with it.
  policy = null;
  for (const id of ["clusters", "calendar", "plan", "reports"]) $(id).replaceChildren();
  $("node-hours").tBodies[0].replaceChildren();
  $("policy-text").value = "";
  for (const id of ["clusters-error", "week-error", "plan-error", "reports-error"]) clearError(id);
  $("main").hidden = true;
  $("forget").hidden = true;
  $("key").placeholder = "paste the key";
  $("notice").textContent = "Enter an access key to open the dashboard.";
  $("key").focus();
}

// ---- Clusters -----------------------------------------------------------------

function statusClass(status = "") {
  if (status.endsWith("_COMPLETE")) return "ok";
  if (status.endsWith("_IN_PROGRESS")) return "busy";
  if (status.endsWith("_FAILED")) return "bad";
  return "";
}

/** The autoscaler cell: `on, 1–3`, `off`, or why it is not known. */
function autoscaler(settings) {
  if (settings instanceof Error) return el("span", { title: explain(settings, "read") }, "unknown");
  if (settings.ca_enable) return `on, ${settings.ca_min_node_count ?? "?"}–${settings.ca_max_node_count ?? "?"}`;
  return "off";
}

/** Runs `task` (a read of session `mine`) when fewer than six others run: a fleet's
 *  cards would otherwise send every read at once (a few clusters of hundreds of node
 *  groups: thousands), each a Worker invocation and an NKS request. A finished task
 *  hands its place on; a read queued for a key since forgotten is not sent. */
const IN_FLIGHT = 6;
let running = 0;
const waiting = [];
async function limited(task, mine) {
  if (running < IN_FLIGHT) running++;
  else await new Promise((resolve) => waiting.push(resolve));
  try {
    if (mine !== session) throw new Error("the key was forgotten");
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** A cluster's card, drawn at once; its node groups follow (`fillCard`). */
function clusterCard(cluster) {
  const version = cluster.labels?.kube_tag ?? "version unknown";
  return el(
    "article",
    { class: "card", "data-cluster": cluster.name },
    el("h3", {}, cluster.name),
    el(
      "p",
      { class: "meta" },
      el("span", { class: `status ${statusClass(cluster.status)}` }, cluster.status ?? "status unknown"),
      ` · ${version}`,
      cluster.node_count === undefined ? "" : ` · ${cluster.node_count} nodes`,
    ),
  );
}

async function fillCard(card, cluster, client, mine) {
  try {
    const groups = await limited(() => client.listNodeGroups(cluster.name), mine);
    groups.sort((a, b) => a.name.localeCompare(b.name));
    // List entries carry no autoscaler settings: one read per node group.
    const settings = await Promise.all(groups.map((g) => limited(() => client.getAutoscale(cluster.name, g.name), mine).catch((e) => e)));
    card.append(
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Node group"), el("th", { scope: "col", class: "num" }, "Nodes"), el("th", { scope: "col" }, "Autoscaler"))),
        el(
          "tbody",
          {},
          groups.map((g, i) =>
            el("tr", { "data-nodegroup": g.name }, el("td", {}, g.name), el("td", { class: "num" }, g.node_count ?? "?"), el("td", {}, autoscaler(settings[i]))),
          ),
        ),
      ),
    );
  } catch (e) {
    card.append(el("p", { class: "error" }, `Node groups: ${explain(e, "read")}`));
  }
}

async function showClusters() {
  clearError("clusters-error");
  const box = $("clusters");
  box.replaceChildren();
  const [mine, client] = [session, nks];
  try {
    const clusters = await client.listClusters();
    if (mine !== session) return;
    clusters.sort((a, b) => a.name.localeCompare(b.name));
    if (clusters.length === 0) box.append(el("p", { class: "hint" }, "No cluster is visible to this key."));
    const cards = clusters.map(clusterCard);
    box.append(...cards);
    // Forgotten, a key's cards leave the page and its reads not yet sent are dropped.
    await Promise.all(cards.map((card, i) => fillCard(card, clusters[i], client, mine)));
  } catch (e) {
    if (mine === session) showError("clusters-error", e, "read");
  }
}

// ---- The week -------------------------------------------------------------------

const hoursText = (n) => Math.round(n).toLocaleString("en-US");

function drawWeek(week) {
  clearError("week-error");
  if (!policy) return;
  let result;
  try {
    result = calendar(policy, week || undefined);
  } catch (e) {
    showError("week-error", e);
    return;
  }
  shownWeek = result.week;
  $("week").value = result.week;
  // The SVG is made by the package's wasm, every text in it escaped.
  $("calendar").innerHTML = result.svg;
  $("node-hours").tBodies[0].replaceChildren(
    ...result.nodeHours.map((h) => {
      const saved = h.alwaysAtMax > 0 ? `${Math.round((1 - h.allowed / h.alwaysAtMax) * 100)}%` : "—";
      const unknown = h.unknownHours > 0 ? ` (${hoursText(h.unknownHours)} h of unknown size counted at max)` : "";
      return el(
        "tr",
        { "data-nodegroup": `${h.cluster}/${h.nodegroup}` },
        el("td", {}, `${h.cluster} / ${h.nodegroup}`, unknown),
        el("td", { class: "num" }, `${hoursText(h.allowed)} node-h`),
        el("td", { class: "num" }, h.peak === null ? "no max set" : `${hoursText(h.alwaysAtMax)} node-h (${h.peak} × ${result.hours} h)`),
        el("td", { class: "num" }, saved),
      );
    }),
  );
}

function shiftWeek(days) {
  if (!shownWeek) return;
  const next = new Date(Date.parse(`${shownWeek}T00:00:00Z`) + days * DAY_MS);
  drawWeek(next.toISOString().slice(0, 10));
}

async function showWeek() {
  clearError("week-error");
  const mine = session;
  try {
    const read = await route("/v1/policy");
    if (mine !== session) return;
    policy = read;
    $("policy-text").value = JSON.stringify(policy, null, 2);
    drawWeek();
  } catch (e) {
    if (mine !== session) return;
    if (e.status === 404) {
      showError("week-error", new Error("This Worker has no GET /v1/policy route, so its policy cannot be drawn here; paste a policy under “Draw another policy”."));
    } else {
      showError("week-error", e, "plan");
    }
  }
}

// ---- Plans and reports ------------------------------------------------------------

function setting(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "object") return String(value);
  return Object.entries(value)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

function renderReport(report, title) {
  const actions = report.actions ?? [];
  const unchanged = report.unchanged ?? [];
  const skipped = report.skipped ?? [];
  const deferred = report.deferred ?? [];
  const errors = report.errors ?? [];
  const box = el(
    "article",
    { class: "report" },
    el("h3", {}, title, report.dry_run ? " (dry run)" : ""),
    el(
      "p",
      { class: "meta" },
      `${actions.length} action${actions.length === 1 ? "" : "s"}, ${unchanged.length} unchanged, ${skipped.length} skipped, ${deferred.length} deferred, ${errors.length} error${errors.length === 1 ? "" : "s"}`,
    ),
  );
  if (actions.length > 0) {
    box.append(
      el(
        "div",
        { class: "scroll" },
        el(
          "table",
          {},
          el("thead", {}, el("tr", {}, ["Node group", "Rule", "Action", "From → to", "Result"].map((h) => el("th", { scope: "col" }, h)))),
          el(
            "tbody",
            {},
            actions.map((a) =>
              el(
                "tr",
                {},
                // A certificate renewal is the cluster's own: no node group.
                el("td", {}, a.nodegroup ? `${a.cluster} / ${a.nodegroup}` : a.cluster),
                el("td", {}, a.rule),
                el("td", {}, a.action),
                el("td", {}, `${setting(a.from)} → ${setting(a.to)}`),
                el("td", {}, el("span", { class: `tag ${a.result}` }, a.result), a.error ? ` ${a.error.message}` : ""),
              ),
            ),
          ),
        ),
      ),
    );
  }
  const waiting = report.waiting ?? [];
  const lines = [
    ...(report.maintenance ?? []).map(
      (m) => `Maintenance ${m.cluster} (${m.maintenance}): ${m.step}${m.nodegroup ? ` ${m.nodegroup}` : ""}${m.detail ? `: ${m.detail}` : ""}`,
    ),
    ...(waiting.length > 0 ? [`Waiting for a later tick (beyond the subrequest budget): ${waiting.join(", ")}`] : []),
    ...skipped.map((s) => `Skipped ${s.cluster}: ${s.reason}`),
    ...errors.map((e) => `Error, ${[e.cluster, e.nodegroup].filter(Boolean).join(" / ")}${e.rule ? ` (${e.rule})` : ""}: ${e.error?.message ?? ""}`),
  ];
  if (lines.length > 0) box.append(el("ul", {}, lines.map((l) => el("li", {}, l))));
  return box;
}

function localInput(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

async function showPlan() {
  clearError("plan-error");
  const value = $("plan-at").value;
  const at = new Date(value);
  if (!value || Number.isNaN(at.getTime())) {
    showError("plan-error", new Error("Pick a date and a time."));
    return;
  }
  $("plan").replaceChildren(el("p", { class: "hint" }, "Planning…"));
  const mine = session;
  try {
    const report = await route(`/v1/plan?at=${encodeURIComponent(at.toISOString())}`);
    if (mine !== session) return;
    $("plan").replaceChildren(renderReport(report, `Plan at ${report.at ?? at.toISOString()}`));
  } catch (e) {
    if (mine !== session) return;
    $("plan").replaceChildren();
    showError("plan-error", e, "plan");
  }
}

async function showReports() {
  clearError("reports-error");
  const box = $("reports");
  const mine = session;
  try {
    const body = await route(`/v1/reports?limit=${REPORTS}`);
    if (mine !== session) return;
    const reports = Array.isArray(body) ? body : (body.reports ?? []);
    box.replaceChildren(
      ...(reports.length === 0
        ? [el("p", { class: "hint" }, body.message ?? "No tick has been reported yet.")]
        : reports.map((r) => renderReport(r, `Tick at ${r.at}`))),
    );
  } catch (e) {
    if (mine !== session) return;
    box.replaceChildren();
    showError("reports-error", e, "plan");
  }
}

// ---- Start ------------------------------------------------------------------------

async function open() {
  $("main").hidden = false;
  $("forget").hidden = false;
  $("key").placeholder = "key in use";
  $("notice").textContent = "Loading…";
  document.body.dataset.state = "loading";
  nks = new NksClient({ endpoint: `${location.origin}/nks`, accessKey: key });
  const mine = ++session;
  await Promise.all([showClusters(), showWeek(), showReports()]);
  if (mine !== session) return;
  $("notice").textContent = "";
  document.body.dataset.state = "ready";
}

function start() {
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key = $("key").value.trim();
    $("key").value = "";
    if (!key) return;
    sessionStorage.setItem(STORE, key);
    open();
  });
  $("open").disabled = false;
  $("forget").addEventListener("click", forget);
  const drawTyped = () => drawWeek($("week").value);
  $("week").addEventListener("change", drawTyped);
  // Enter in the date field submits the form: draw, never navigate.
  $("week-form").addEventListener("submit", (event) => {
    event.preventDefault();
    drawTyped();
  });
  $("week-prev").addEventListener("click", () => shiftWeek(-7));
  $("week-next").addEventListener("click", () => shiftWeek(7));
  $("plan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showPlan();
  });
  $("policy-form").addEventListener("submit", (event) => {
    event.preventDefault();
    policy = $("policy-text").value;
    drawWeek($("week").value || shownWeek);
  });
  $("plan-at").value = localInput(new Date());
  key = readKey();
  if (key) open();
  else forget();
}

start();
