// The recipe of docs/package.md for running your own policy in the Worker locally, as
// printed: the emulator on port 9511, `.dev.vars` from `.dev.vars.example`,
// `npm --prefix js run dev` (wrangler dev --local --test-scheduled), then a cron tick
// through `/__scheduled`. Everything listens on 127.0.0.1 and is stopped by PID.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

const root = new URL("../../", import.meta.url).pathname;
const recipe = readFileSync(`${root}docs/package.md`, "utf8");

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function until(check, what, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await check().catch(() => null);
    if (got) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("docs/package.md's local Worker recipe runs as printed", { timeout: 180_000 }, async () => {
  for (const step of ["cp .dev.vars.example .dev.vars", "target/debug/nks-emulator &", "npm --prefix js run dev", 'curl "http://127.0.0.1:8787/__scheduled?cron=*/5+*+*+*+*"']) {
    assert.ok(recipe.includes(step), `the recipe prints ${step}`);
  }
  const ours = !existsSync(`${root}.dev.vars`);
  assert.ok(ours, "a .dev.vars of your own is in the way: the recipe would overwrite it");
  copyFileSync(`${root}.dev.vars.example`, `${root}.dev.vars`);
  const emulator = spawn(`${root}target/debug/nks-emulator`, [], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const port = await freePort();
  // The recipe's port is wrangler's default, 8787; a free one here, so tests never collide.
  const dev = spawn("npm", ["--prefix", "js", "run", "dev", "--", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  const output = [];
  for (const stream of [dev.stdout, dev.stderr]) createInterface({ input: stream }).on("line", (l) => output.push(l));
  try {
    const { value: url } = await createInterface({ input: emulator.stdout })[Symbol.asyncIterator]().next();
    assert.equal(url.trim(), "http://127.0.0.1:9511", "the emulator on the recipe's port");
    const base = `http://127.0.0.1:${port}`;
    const health = await until(async () => (await fetch(`${base}/healthz`)).ok, "wrangler dev", 150_000);
    assert.ok(health);
    const tick = await fetch(`${base}/__scheduled?cron=*/5+*+*+*+*`);
    assert.equal(tick.status, 200, await tick.text());
    // The tick ran the policy of .dev.vars against the emulator: it read prod.
    const seen = await until(async () => {
      const log = await (await fetch("http://127.0.0.1:9511/_emulator/requests")).json();
      return log.requests.some((r) => r.path === "/v1/clusters/prod") && log;
    }, "the tick's reads");
    assert.ok(seen.requests.some((r) => r.path === "/v2.0/tokens"), "it asked Identity for a token");
    assert.ok(output.some((l) => l.includes('"event":"tick"') || l.includes("tick")), output.join("\n"));
  } finally {
    try {
      process.kill(-dev.pid, "SIGTERM");
    } catch {}
    emulator.kill("SIGTERM");
    rmSync(`${root}.dev.vars`, { force: true });
  }
});
