// The JavaScript half of the wasm's fetch transport (src/transport.rs, `Fetch`):
// one call per request, answered through one `settle` callback the wasm made once,
// so no closure, promise adapter or abort signal is created per request on the wasm
// side. wasm-bindgen copies this file into pkg/snippets/ and imports it.

// Requests started close together share one AbortSignal.timeout: a request is aborted
// between its timeout and a sixteenth of it later (at most a second), since requests
// started within that slack of the first share its signal. A signal per request costs
// more CPU than the request's own work in Node. workerd ties a signal to the request
// that made it (and makes it natively), so there each request has its own.
const perRequest = globalThis.navigator?.userAgent === "Cloudflare-Workers";
let shared = null;
let sharedAt = 0;
let sharedFor = 0;

function signalFor(timeoutMs) {
  if (perRequest) return AbortSignal.timeout(timeoutMs);
  const now = Date.now();
  const slack = Math.min(1000, Math.floor(timeoutMs / 16));
  if (shared === null || sharedFor !== timeoutMs || now - sharedAt > slack) {
    shared = AbortSignal.timeout(timeoutMs + slack);
    sharedAt = now;
    sharedFor = timeoutMs;
  }
  return shared;
}

/** An error's message and its cause's (`fetch failed: connect ECONNREFUSED …`). */
function describe(error) {
  const message = String(error?.message ?? error ?? "fetch failed");
  const cause = error?.cause?.message;
  return cause ? `${message}: ${cause}` : message;
}

/**
 * Sends one request; calls `settle(id, 0, [status, body, ...headers])` with the answer
 * (the headers of `RESPONSE_HEADERS` in src/transport.rs, in its order), `settle(id, 1, null)` on a timeout, or
 * `settle(id, 2, message)` when no answer came. `headers` is "name\nvalue\n…".
 */
export function send(settle, id, method, url, headers, body, timeoutMs) {
  const signal = signalFor(timeoutMs);
  const lines = headers.split("\n");
  const init = { method, headers: {}, signal };
  for (let i = 0; i + 1 < lines.length; i += 2) init.headers[lines[i]] = lines[i + 1];
  if (body !== undefined) init.body = body;
  let status = 0;
  let found = null;
  fetch(url, init)
    .then((response) => {
      status = response.status;
      found = response.headers;
      return response.text();
    })
    .then(
      (text) =>
        settle(id, 0, [status, text, found.get("x-openstack-request-id"), found.get("x-compute-request-id"), found.get("retry-after")]),
      (error) => (signal.aborted ? settle(id, 1, null) : settle(id, 2, describe(error))),
    );
}
