// The Cloudflare Worker: HTTP routes, the NKS gateway (/nks/v1/…), the cron tick and
// its queued shares, handled in Rust (src/worker/, built into js/pkg-worker/ with the
// `worker` feature). Here only the bearer key is hashed (WebCrypto), so the key itself
// never leaves this file, the body is read (at most one byte past the limit), queue
// messages are sent and settled, and the log lines Rust returns are written.
import wasm from "./pkg-worker/nks_edge_bg.wasm";
import { initSync, bodyLimit, corsHeaders, handleFetch, handleScheduled, handleQueued, recordTick } from "./pkg-worker/nks_edge.js";

initSync({ module: wasm });

const BODY_LIMIT = bodyLimit();

/** Writes the log lines Rust returned. */
function log(lines) {
  for (const line of lines) console.log(line);
}
const NO_BODY = new Set(["GET", "HEAD", "OPTIONS"]);

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function bearer(request) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match ? match[1] : null;
}

/** The body as text, cut one byte past the limit (Rust answers 413 for that). */
async function readBody(request) {
  if (NO_BODY.has(request.method) || request.body === null) return null;
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  while (size <= BODY_LIMIT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  if (size > BODY_LIMIT) await reader.cancel();
  const bytes = new Uint8Array(Math.min(size, BODY_LIMIT + 1));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  // Over the limit, a leading byte-order mark is kept (3 bytes of text, as in the
  // body): dropped, the text would be 3 bytes shorter and pass as within it.
  return new TextDecoder("utf-8", { ignoreBOM: size > BODY_LIMIT }).decode(bytes);
}

/** Backoff of a retried queue message: base, 2×, 4×, … up to 5 minutes (base:
 *  QUEUE_RETRY_SECONDS, default 10). */
function retryDelay(attempts, env) {
  const base = Number(env.QUEUE_RETRY_SECONDS ?? 10);
  return Math.min(300, (Number.isFinite(base) && base >= 0 ? base : 10) * 2 ** Math.max(0, attempts - 1));
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const key = bearer(request);
    try {
      const out = await handleFetch(
        {
          method: request.method,
          path: url.pathname,
          query: url.search.slice(1),
          origin: request.headers.get("origin"),
          keySha256: key === null ? null : await sha256Hex(key),
          requestHeaders: request.headers.get("access-control-request-headers"),
          body: await readBody(request),
        },
        env,
      );
      console.log(out.log);
      const empty = out.status === 204 || request.method === "HEAD";
      return new Response(empty ? null : out.body, { status: out.status, headers: out.headers });
    } catch (error) {
      console.log(JSON.stringify({
        ts: new Date().toISOString(), level: "error", event: "request", route: "internal",
        status: 500, error: String(error?.kind ?? "internal"),
      }));
      const body = { error: { kind: "internal", message: "the Worker failed to handle the request" } };
      // With CORS headers for an allowed origin, a browser app reads this 500
      // instead of a refused request.
      let headers = [];
      try {
        headers = corsHeaders(request.headers.get("origin"), env);
      } catch {
        // The wasm failed too: the 500 goes without them.
      }
      return Response.json(body, { status: 500, headers });
    }
  },

  async scheduled(event, env) {
    const at = event.scheduledTime;
    const { lines, messages } = await handleScheduled(at, env, event.cron, false);
    log(lines);
    if (messages.length === 0) return;
    let sent = 0;
    try {
      // sendBatch takes at most 100 messages.
      for (; sent < messages.length; sent += 100) {
        await env.TICKS.sendBatch(messages.slice(sent, sent + 100).map((body) => ({ body })));
      }
    } catch (error) {
      // The queue refused (its daily operations used up, or down): what it did not
      // take runs here, within this invocation's budget.
      console.log(JSON.stringify({
        ts: new Date().toISOString(), level: "error", event: "fanout", sent, unsent: messages.length - sent,
        message: `the queue refused the tick's messages (${String(error?.message ?? error).slice(0, 200)}): the rest runs in this invocation`,
      }));
      if (sent === 0) {
        // The whole tick, with its rotation; not recorded, so older ticks' retries
        // stay current.
        log((await handleScheduled(at, env, event.cron, true)).lines);
        return;
      }
      log(await recordTick(at, env));
      log((await handleQueued({ at, clusters: messages.slice(sent).flatMap((m) => m.clusters) }, env, event.cron)).lines);
      return;
    }
    log(await recordTick(at, env));
  },

  async queue(batch, env) {
    // The dead-letter queue (its name ends in "-dlq"): shares that failed every try.
    const deadLetters = batch.queue.endsWith("-dlq");
    for (const message of batch.messages) {
      if (deadLetters) {
        const { at, clusters } = message.body ?? {};
        console.log(JSON.stringify({
          ts: new Date().toISOString(), level: "error", event: "dead_letter", queue: batch.queue,
          at: Number.isFinite(at) ? new Date(at).toISOString() : null, clusters: Array.isArray(clusters) ? clusters : null,
        }));
        message.ack();
        continue;
      }
      const { lines, retry } = await handleQueued(message.body, env);
      log(lines);
      if (retry) {
        message.retry({ delaySeconds: retryDelay(message.attempts, env) });
      } else {
        message.ack();
      }
    }
  },
};
