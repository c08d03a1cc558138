// `make bench-boundary` (issue #12): the two boundary choices of the design card, each
// beside what the package does today, measured in one run from the modules
// bench/boundary/ builds (target/boundary/<variant>/, one variant per module):
// - transport: nks-edge's direct `fetch` binding vs gloo-net's `Request`, `listClusters`
//   against the emulator and in process (fetch answered with the emulator's body);
// - values: JSON text + `JSON.parse` vs serde-wasm-bindgen, and vs nks-edge's packed
//   values (what the package ships), the clusters of an answer converted to a JS value.
// The in-process figures are taken again in workerd (Miniflare, bench/boundary/worker.mjs),
// the runtime of the Workers plans. Each pair must give the same value, or the run
// fails. Starts its own emulator (release build, 127.0.0.1, stopped by PID when done).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url);
const ACCOUNT = { tenantId: "demo-tenant", username: "demo@example.com", password: "demo-password" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(3)} ms`;
const rows = { transport: [], values: [], packed: [] };
const record = (pair, measure, a, b, ratio) => rows[pair].push({ measure, a, b, ratio: `${ratio.toFixed(2)}x` });

/** A variant's module, initialized, with its sizes: the wasm and the JS glue (its snippets included). */
async function load(variant) {
  const dir = new URL(`target/boundary/${variant}/`, root);
  const wasm = readFileSync(new URL("nks_edge_bg.wasm", dir));
  const files = (path) =>
    statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(`${path}/${f}`)) : [readFileSync(path)];
  const snippets = new URL("snippets", dir).pathname;
  const glue = Buffer.concat([...files(new URL("nks_edge.js", dir).pathname), ...(existsSync(snippets) ? files(snippets) : [])]);
  const module = await import(new URL("nks_edge.js", dir).href);
  module.initSync({ module: wasm });
  const size = (bytes) => [bytes.length, gzipSync(bytes, { level: 9 }).length];
  return { variant, module, wasm: size(wasm), glue: size(glue) };
}

/** Throws unless both variants gave the same value (same keys in the same order). */
function same(label, a, b) {
  if (!isDeepStrictEqual(a, b) || JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`${label}: the two variants disagree:\n${JSON.stringify(a).slice(0, 400)}\n${JSON.stringify(b).slice(0, 400)}`);
  }
}

/** Interleaved rounds (drift in the machine's load hits both alike): each side's results. */
async function interleaved(rounds, a, b) {
  const [xs, ys] = [[], []];
  for (let round = 0; round < rounds; round++) {
    xs.push(await a());
    ys.push(await b());
  }
  return [xs, ys];
}

/** `n` calls of `fn` after 20 to warm up: the median wall time of one, and CPU per call. */
async function perCall(fn, n) {
  for (let i = 0; i < 20; i++) await fn();
  const times = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  const spent = process.cpuUsage(cpu);
  return { wall: median(times), cpu: (spent.user + spent.system) / 1000 / n };
}

let child;
async function emulator() {
  child = spawn(new URL("target/release/nks-emulator", root).pathname, ["--port", "0", "--rng-seed", "7", "--op-delay-ms", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [url] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]);
  return url;
}
const post = (url, path, body) => fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });

/** The clusters answers measured, by count (the emulator's bodies). */
const answers = new Map();
let workerd;
const PAIRS = { transport: ["transport-direct", "transport-gloo"], values: ["values-json", "values-swb"], packed: ["values-json", "values-packed"] };
const [direct, gloo, json, swb, packed] = await Promise.all([...PAIRS.transport, ...PAIRS.values, "values-packed"].map(load));
try {
  const url = await emulator();
  const token = (await (await post(url, "/v2.0/tokens", { auth: { tenantId: ACCOUNT.tenantId, passwordCredentials: { username: ACCOUNT.username, password: ACCOUNT.password } } })).json()).access.token.id;
  // An error answer: the same message both ways, with the request id (a response header).
  const refusals = [];
  for (const { module } of [direct, gloo]) {
    module.connect(url, "not-a-token");
    refusals.push(await module.listClusters().then(() => "no error", (e) => String(e)));
    module.connect(url, token);
  }
  const requestId = /\[request \S+\]/;
  for (const refusal of refusals) if (!requestId.test(refusal)) throw new Error(`a wrong token gave "${refusal}", without a request id`);
  same("listClusters with a wrong token", ...refusals.map((r) => r.replace(requestId, "[request ...]")));
  const large = { clusters: Array.from({ length: 500 }, (_, i) => ({ name: `c${i}`, nodegroups: [{ name: "default-worker", node_count: 2 }] })) };

  for (const [count, n] of [[3, 200], [500, 20]]) {
    if (count === 500) await post(url, "/_emulator/seed", large); // 3: the emulator's own seed
    const body = await (await fetch(`${url}/v1/clusters`, { headers: { "x-auth-token": token } })).text();
    const label = `${count} clusters (${kb(body.length)} answer)`;
    answers.set(count, { body, label });

    // Transport, against the emulator: the same clusters both ways, then time and CPU.
    const [a, b] = [await direct.module.listClusters(), await gloo.module.listClusters()];
    if (a.length !== count) throw new Error(`listClusters gave ${a.length} clusters, not ${count}`);
    same(`listClusters, ${label}`, a, b);
    let [xs, ys] = await interleaved(7, () => perCall(() => direct.module.listClusters(), n), () => perCall(() => gloo.module.listClusters(), n));
    let [x, y] = [median(xs.map((r) => r.wall)), median(ys.map((r) => r.wall))];
    record("transport", `listClusters, ${label}: wall per call`, ms(x), ms(y), y / x);
    [x, y] = [median(xs.map((r) => r.cpu)), median(ys.map((r) => r.cpu))];
    record("transport", `listClusters, ${label}: CPU per call (Node's fetch included)`, ms(x), ms(y), y / x);

    // Transport, in process: fetch answers at once with the emulator's body, so the
    // CPU is the client's and its transport's (as Workers bill it: fetch is native there).
    const realFetch = globalThis.fetch;
    globalThis.fetch = async () =>
      new Response(body, { status: 200, headers: { "content-type": "application/json", "x-openstack-request-id": "req-1" } });
    try {
      same(`listClusters in process, ${label}`, await direct.module.listClusters(), await gloo.module.listClusters());
      [xs, ys] = await interleaved(9, () => perCall(() => direct.module.listClusters(), n), () => perCall(() => gloo.module.listClusters(), n));
    } finally {
      globalThis.fetch = realFetch;
    }
    [x, y] = [median(xs.map((r) => r.cpu)), median(ys.map((r) => r.cpu))];
    record("transport", `listClusters, ${label}: CPU per call, in process`, ms(x), ms(y), y / x);

    // Values: the answer read once, then converted on each call.
    for (const { module } of [json, swb, packed]) if (module.load(body) !== count) throw new Error(`load did not read ${count} clusters`);
    const batch = count === 3 ? 2000 : 40;
    const timed = (module) => async () => {
      const t = performance.now();
      for (let i = 0; i < batch; i++) module.toJs();
      return (performance.now() - t) / batch;
    };
    for (const [pair, other] of [["values", swb], ["packed", packed]]) {
      same(`toJs (${other.variant}), ${label}`, json.module.toJs(), other.module.toJs());
      await interleaved(2, timed(json.module), timed(other.module)); // warm up
      [xs, ys] = await interleaved(9, timed(json.module), timed(other.module));
      [x, y] = [median(xs), median(ys)];
      record(pair, `clusters to a JS value, ${label}: per call`, ms(x), ms(y), y / x);
    }
  }

  // The in-process figures in workerd: one request runs `n` calls of a variant; its
  // wall time over `n` (workerd's thread is busy throughout) is the time of one.
  const { Miniflare } = await import(createRequire(new URL("js/package.json", root)).resolve("miniflare"));
  const wrangler = readFileSync(new URL("wrangler.toml", root), "utf8");
  workerd = new Miniflare({
    modules: true,
    scriptPath: new URL("bench/boundary/worker.mjs", root).pathname,
    modulesRoot: root.pathname,
    modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wrangler)[1],
  });
  const inWorkerd = async (path, variant, n) => {
    const t = performance.now();
    const response = await workerd.dispatchFetch(`http://bench.invalid/${path}?variant=${variant}&n=${n}`);
    const value = await response.text();
    if (response.status !== 200) throw new Error(`workerd: ${path} ${variant}: ${response.status} ${value.slice(0, 300)}`);
    return { value, time: (performance.now() - t) / n };
  };
  for (const [count, { body, label }] of answers) {
    const loaded = await (await workerd.dispatchFetch("http://bench.invalid/answer", { method: "POST", body })).json();
    if (!isDeepStrictEqual(loaded, [count, count, count])) throw new Error(`workerd read ${loaded} clusters, not ${count}`);
    for (const [pair, path, [a, b], n, what] of [
      ["transport", "listClusters", PAIRS.transport, count === 3 ? 1000 : 10, `listClusters, ${label}: per call in workerd, in process`],
      ["values", "toJs", PAIRS.values, count === 3 ? 5000 : 20, `clusters to a JS value, ${label}: per call in workerd`],
      ["packed", "toJs", PAIRS.packed, count === 3 ? 5000 : 20, `clusters to a JS value, ${label}: per call in workerd`],
    ]) {
      const [first, second] = [await inWorkerd(path, a, n), await inWorkerd(path, b, n)]; // also the warm-up
      if (JSON.parse(first.value).length !== count) throw new Error(`workerd: ${path} gave ${first.value.slice(0, 300)}`);
      same(what, first.value, second.value);
      const [xs, ys] = await interleaved(7, async () => (await inWorkerd(path, a, n)).time, async () => (await inWorkerd(path, b, n)).time);
      const [x, y] = [median(xs), median(ys)];
      record(pair, what, ms(x), ms(y), y / x);
    }
  }
} finally {
  child?.kill("SIGTERM");
  await workerd?.dispose();
}

const table = (title, [a, b], measured) => {
  const head = ["measure", a.variant, b.variant, `${b.variant.split("-")[1]} / ${a.variant.split("-")[1]}`];
  const body = [
    ["wasm (raw)", kb(a.wasm[0]), kb(b.wasm[0]), b.wasm[0] / a.wasm[0]],
    ["wasm (gzip)", kb(a.wasm[1]), kb(b.wasm[1]), b.wasm[1] / a.wasm[1]],
    ["JS glue + snippets (gzip)", kb(a.glue[1]), kb(b.glue[1]), b.glue[1] / a.glue[1]],
  ].map(([measure, x, y, r]) => ({ measure, a: x, b: y, ratio: `${r.toFixed(3)}x` })).concat(measured);
  const cells = [head, ...body.map((r) => [r.measure, r.a, r.b, r.ratio])];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c) => "| " + c.map((s, i) => s.padEnd(widths[i])).join(" | ") + " |";
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const c of cells.slice(1)) console.log(line(c));
};
table("Transport: nks-edge's direct fetch binding vs gloo-net's Request (issue #12)", [direct, gloo], rows.transport);
table("Values: JSON text + JSON.parse vs serde-wasm-bindgen (json_compatible)", [json, swb], rows.values);
table("Values: JSON text + JSON.parse vs nks-edge's packed values (bindings::packed, js/values.mjs: what the package ships)", [json, packed], rows.packed);
console.log("\nEach pair gave the same clusters (deep-equal, same key order) in every measure above.");
