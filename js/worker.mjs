// The Cloudflare Worker: HTTP routes and the cron tick, handled in Rust (src/worker/,
// built into js/pkg-worker/ with the `worker` feature). Here only the bearer key is
// hashed (WebCrypto), so the key itself never leaves this file, and the log lines Rust
// returns are written.
import wasm from "./pkg-worker/nks_edge_bg.wasm";
import { initSync, handleFetch, handleScheduled } from "./pkg-worker/nks_edge.js";

initSync({ module: wasm });

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function bearer(request) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match ? match[1] : null;
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
        },
        env,
      );
      console.log(out.log);
      return new Response(out.status === 204 ? null : out.body, { status: out.status, headers: out.headers });
    } catch (error) {
      console.log(JSON.stringify({ event: "request", route: url.pathname, status: 500, error: String(error?.kind ?? "internal") }));
      const body = { error: { kind: "internal", message: "the Worker failed to handle the request" } };
      return Response.json(body, { status: 500 });
    }
  },

  async scheduled(event, env) {
    for (const line of await handleScheduled(event.scheduledTime, env)) {
      console.log(line);
    }
  },
};
