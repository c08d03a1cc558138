// The secrets test, in workerd (Miniflare): every secret set to a known value, and an
// upstream (Identity and NKS on 127.0.0.1) that echoes credentials in error bodies,
// titles, details and token answers of unexpected shapes. Every route and the tick are
// driven; no secret may appear in any answer, header, log line or stored report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { workerd } from "./workerd.mjs";

const SECRETS = {
  password: "pw-Secret-0123456789",
  issued: "tok-ISSUED-0123456789",
  static: "tok-STATIC-0123456789",
  odd: "tok-ODD-SHAPE-0123456789",
  key: "access-key-0123456789",
};
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const POLICY = {
  timezone: "Asia/Seoul",
  rules: [
    { name: "a", cluster: "prod", nodegroup: "default-worker", autoscale: { min: 1, max: 3 } },
    { name: "b", cluster: "dev", nodegroup: "default-worker", autoscale: { min: 1, max: 3 } },
  ],
};

// How Identity answers: "echo-401" (the request body, password included, in a 401),
// "odd" (a 200 whose token is a string where an object belongs), "ok".
let identity = "ok";
let server;
let upstream;

function reply(response, status, body) {
  response.writeHead(status, { "content-type": "application/json", "x-openstack-request-id": "req-echo" });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

before(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const sent = request.headers["x-auth-token"] ?? "";
      if (request.url === "/v2.0/tokens") {
        if (identity === "echo-401") return reply(response, 401, `{"error":{"message":"bad credentials in ${body}"}}`);
        if (identity === "odd") return reply(response, 200, { access: { token: SECRETS.odd } });
        return reply(response, 200, { access: { token: { id: SECRETS.issued, expires: "2099-01-01T00:00:00Z" } } });
      }
      // NKS: the clusters read answers, echoing the token in a field; writes and
      // everything else fail with the token (what NKS is sent: never the password) in
      // title and detail.
      if (request.method === "GET" && /^\/v1\/clusters\/[^/]+$/.test(request.url)) {
        const name = request.url.split("/").pop();
        return reply(response, 200, { uuid: `u-${name}`, name, status: "CREATE_COMPLETE", labels: { note: sent } });
      }
      if (request.method === "GET" && request.url === "/v1/clusters") {
        return reply(response, 200, { clusters: [{ uuid: "u-prod", name: "prod", note: sent }] });
      }
      const status = request.url.endsWith("/autoscale") && request.method === "GET" ? 500 : 400;
      return reply(response, status, {
        errors: [{ status, code: "client", title: `token ${sent} refused`, detail: `token ${sent}, body ${body}`, request_id: `req-${sent}` }],
      });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

async function worker(credentials) {
  const logs = [];
  const mf = workerd({
    kvNamespaces: ["REPORTS"],
    bindings: {
      NKS_ENDPOINT: upstream,
      NHN_IDENTITY_URL: upstream,
      ...credentials,
      CORS_ORIGINS: "*",
      DRY_RUN: "false",
      SCALE_POLICY: JSON.stringify(POLICY),
      ACCESS_KEYS: JSON.stringify([
        { name: "all", sha256: sha256(SECRETS.key), scopes: ["kubeconfig", "plan", "reconcile", "read", "scale", "operate"], clusters: ["prod", "dev"] },
      ]),
    },
  }, logs);
  await mf.ready;
  return { mf, logs };
}

const ROUTES = [
  ["GET", "/healthz"],
  ["GET", "/v1/plan"],
  ["GET", "/v1/plan?at=2026-11-26T09:00:00+09:00"],
  ["POST", "/v1/reconcile"],
  ["POST", "/v1/reconcile?dry_run=true"],
  ["GET", "/v1/clusters/prod/kubeconfig"],
  ["GET", "/v1/reports"],
  ["GET", "/nks/v1/clusters"],
  ["GET", "/nks/v1/clusters/prod"],
  ["GET", "/nks/v1/clusters/u-dev/nodegroups"],
  ["GET", "/nks/v1/clusters/prod/nodegroups/default-worker/autoscale"],
  ["POST", "/nks/v1/clusters/prod/nodegroups/default-worker/autoscale", { ca_enable: true }],
  // Its body comes back in NKS's error; a caller's own words are not redacted (a `***`
  // would tell it which guess is the password: tests/gateway.rs).
  ["PATCH", "/nks/v1/clusters/prod/nodegroups/default-worker", { type: "flavor_id", flavor_id: "flavor-0123456789" }],
  ["DELETE", "/nks/v1/clusters/prod"],
];

/** Drives every route and a tick; answers every text that left the Worker. */
async function drive({ mf, logs }) {
  const texts = [];
  for (const [method, path, body] of ROUTES) {
    const response = await mf.dispatchFetch(`http://worker.test${path}`, {
      method,
      headers: { authorization: `Bearer ${SECRETS.key}`, origin: "https://app.example" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    texts.push(`${method} ${path} ${response.status}`, await response.text(), JSON.stringify([...response.headers]));
  }
  const scheduled = await (await mf.getWorker()).scheduled({ scheduledTime: new Date("2026-11-26T09:00:00+09:00"), cron: "*/5 * * * *" });
  assert.equal(scheduled.outcome, "ok");
  const kv = await mf.getKVNamespace("REPORTS");
  const stored = [];
  for (const { name } of (await kv.list()).keys) stored.push(await kv.get(name));
  texts.push(...logs, ...stored);
  return { texts, stored };
}

function assertClean(texts, secrets) {
  const all = texts.join("\n");
  for (const secret of [...secrets, sha256(SECRETS.key)]) {
    assert.ok(!all.includes(secret), `${secret} left the Worker:\n${all.split("\n").filter((t) => t.includes(secret)).join("\n")}`);
  }
}

for (const [name, mode, credentials] of [
  ["Identity credentials, NKS echoing the issued token", "ok",
    { NHN_TENANT_ID: "tenant", NHN_USERNAME: "user@example.com", NHN_API_PASSWORD: SECRETS.password }],
  ["Identity echoing the password in a 401", "echo-401",
    { NHN_TENANT_ID: "tenant", NHN_USERNAME: "user@example.com", NHN_API_PASSWORD: SECRETS.password }],
  ["Identity answering a token of an unexpected shape", "odd",
    { NHN_TENANT_ID: "tenant", NHN_USERNAME: "user@example.com", NHN_API_PASSWORD: SECRETS.password }],
  ["NKS_TOKEN, NKS echoing it", "ok", { NKS_TOKEN: SECRETS.static }],
]) {
  // The secrets this Worker holds (with NKS_TOKEN, the password is not one of them).
  const held = Object.entries(SECRETS)
    .filter(([kind]) => !(credentials.NKS_TOKEN && kind === "password"))
    .map(([, value]) => value);
  test(`no secret leaves the Worker: ${name}`, async () => {
    identity = mode;
    const running = await worker(credentials);
    try {
      const { texts, stored } = await drive(running);
      assert.ok(running.logs.length >= ROUTES.length, "every request was logged");
      assert.ok(stored.length >= 1, "the tick's report was stored");
      if (mode === "ok") assert.ok(texts.join("\n").includes("***"), "the echoes were there, redacted");
      if (mode !== "ok") {
        // Identity failed: /v1/plan answers once, 502, saying so (not 200 per cluster).
        assert.ok(texts.includes("GET /v1/plan 502"), texts.filter((t) => t.startsWith("GET /v1/plan")).join());
      }
      assertClean(texts, held);
    } finally {
      await running.mf.dispose();
    }
  });
}

test("a non-ASCII NKS_TOKEN is a configuration error, never printed", async () => {
  const token = "tök-NON-ASCII-0123456789";
  const running = await worker({ NKS_TOKEN: token });
  try {
    const response = await running.mf.dispatchFetch("http://worker.test/v1/plan", {
      headers: { authorization: `Bearer ${SECRETS.key}` },
    });
    const text = await response.text();
    assert.equal(response.status, 500);
    assert.equal(JSON.parse(text).error.variable, "NKS_TOKEN");
    await (await running.mf.getWorker()).scheduled({ scheduledTime: new Date(), cron: "*/5 * * * *" });
    for (const t of [text, ...running.logs]) assert.ok(!t.includes("NON-ASCII"), t);
  } finally {
    await running.mf.dispose();
  }
});
