// The JavaScript half of the wasm's fetch transport (src/transport.rs, `Fetch`):
// one call per request, answered through one `settle` callback the wasm made once,
// so no closure, promise adapter or abort signal is created per request on the wasm
// side; and a call's first attempt, settled here when it succeeds (`attempt`).
// wasm-bindgen copies this file and answer.mjs into pkg/snippets/ and imports them.
import { shape } from "./answer.mjs";

// Requests started close together share one AbortSignal.timeout: a request is aborted
// between its timeout and 20 ms later (a sixteenth of the timeout when that is
// shorter), since requests started within that slack of the first share its signal. A signal per request costs more CPU than the request's own
// work in Node, and so does a signal shared for long: undici adds an abort listener
// per request and never removes it, so each request pays for every one before it
// (measured: a signal shared for a second made a small call 1.3x a plain fetch, one
// shared for 20 ms 1.1-1.2x). workerd ties a signal to the request that made it (and
// makes it natively), so there each request has its own.
const perRequest = globalThis.navigator?.userAgent === "Cloudflare-Workers";
const SHARED_MS = 20;
let shared = null;
let sharedAt = 0;
let sharedFor = 0;

function signalFor(timeoutMs) {
  if (perRequest) return AbortSignal.timeout(timeoutMs);
  // A monotonic clock: were the wall clock set back, a spent signal would be shared.
  const now = performance.now();
  const slack = Math.min(SHARED_MS, Math.floor(timeoutMs / 16));
  if (shared === null || sharedFor !== timeoutMs || now - sharedAt > slack) {
    shared = AbortSignal.timeout(timeoutMs + slack);
    sharedAt = now;
    sharedFor = timeoutMs;
  }
  return shared;
}

/** An error's message and its cause's (`fetch failed: connect ECONNREFUSED …`); never
 *  throws, whatever a patched fetch threw. */
function describe(error) {
  try {
    const message = String(error?.message ?? error ?? "fetch failed");
    const cause = error?.cause?.message;
    return cause ? `${message}: ${String(cause)}` : message;
  } catch {
    return "fetch failed";
  }
}

/** A response header as a string or null; never throws (a patched fetch may answer
 *  without headers, or with a `get` of its own). The wasm reads an answer's headers
 *  through it when it needs one, not for every answer. */
export function header(headers, name) {
  try {
    const value = headers?.get(name);
    return value === null || value === undefined ? null : String(value);
  } catch {
    return null;
  }
}

const METHODS = ["GET", "POST", "PATCH", "DELETE"];
const encoder = new TextEncoder();

/** Writes a string's UTF-8 into the wasm's `memory` at `at` (at most `capacity`
 *  bytes, which the wasm allocated); answers how many bytes it wrote. */
export function utf8Into(text, memory, at, capacity) {
  if (typeof text !== "string" || capacity === 0) return 0;
  return encoder.encodeInto(text, new Uint8Array(memory.buffer, at, capacity)).written;
}

/** The headers object of "name\nvalue\n…" (the wasm makes one per header set and reuses it). */
export function headersOf(text) {
  const lines = text.split("\n");
  const headers = {};
  for (let i = 0; i + 1 < lines.length; i += 2) headers[lines[i]] = lines[i + 1];
  // Shared by every request with these headers: frozen, so that a fetch wrapper that
  // edits a request's headers cannot edit the next one's.
  return Object.freeze(headers);
}

/**
 * Sends one request (`method` an index of METHODS, `request` its URL and from `bodyAt`
 * its body, `bodyAt` -1 when it has none, `headers` made by `headersOf`);
 * calls `settle(id, status, body, headers, body.length)` with the answer (its
 * `Headers`, read through `header` when the wasm needs one), `settle(id, 1, null,
 * null, 0)` on a timeout, or `settle(id, 2, message, null, 0)` when no answer came,
 * also when `fetch` throws at once (no global fetch, a URL it refuses): never throws
 * itself, so the wasm binds it without a handler around every call.
 */
export function send(settle, id, method, request, bodyAt, headers, timeoutMs) {
  const url = urlOf(request, bodyAt);
  const body = bodyOf(request, bodyAt);
  let signal = null;
  let answer;
  try {
    signal = signalFor(timeoutMs);
    const init = { method: METHODS[method], headers, signal };
    if (body !== undefined) init.body = body;
    answer = fetch(url, init);
  } catch (error) {
    settle(id, 2, describe(error), null, 0);
    return;
  }
  receive(settle, id, answer, signal);
}

/** Waits for `answer` and its body, then settles request `id`; never rejects. */
async function receive(settle, id, answer, signal) {
  let status;
  let headers;
  let text;
  try {
    const response = await answer;
    status = Number(response.status) || 0;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) settle(id, 1, null, null, 0);
    else settle(id, 2, describe(error), null, 0);
    return;
  }
  // A body that is not a string is made one here: a failure to is a network error.
  let body;
  try {
    body = String(text);
  } catch (error) {
    settle(id, 2, describe(error), null, 0);
    return;
  }
  settle(id, status, body, headers, body.length);
}

const urlOf = (request, bodyAt) => (bodyAt < 0 ? request : request.slice(0, bodyAt));
const bodyOf = (request, bodyAt) => (bodyAt < 0 ? undefined : request.slice(bodyAt));

/** A call's first attempt, as `client.resume` reads it back (`url`, `body`). */
class First {
  constructor(client, method, request, bodyAt, headers, answer, idempotent, resolve, reject) {
    this.client = client;
    this.method = method;
    this.request = request;
    this.bodyAt = bodyAt;
    this.headers = headers;
    this.answer = answer;
    this.idempotent = idempotent;
    this.resolve = resolve;
    this.reject = reject;
  }

  get url() {
    return urlOf(this.request, this.bodyAt);
  }

  get body() {
    return bodyOf(this.request, this.bodyAt);
  }
}

/**
 * A call's first attempt, which the wasm prepared (a token in hand, nothing to look
 * up first): sent as `send` sends, and settled here with the answer shaped by
 * `answer` (see answer.mjs; `undefined`: nothing to read) when it is a 2xx that
 * reads, so a call that succeeds at once never waits on the wasm again. Anything else
 * (an error status, a timeout, no answer, an answer its shape refuses) goes to
 * `client.resume`: the wasm's retries, new token and errors, as if it had sent it.
 */
export function attempt(client, method, request, bodyAt, headers, timeoutMs, answer, idempotent) {
  return new Promise((resolve, reject) => {
    const first = new First(client, method, request, bodyAt, headers, answer, idempotent, resolve, reject);
    send(settleFirst, first, method, request, bodyAt, headers, timeoutMs);
  });
}

/** `send`'s `settle` for a first attempt. */
function settleFirst(first, status, body, headers, units) {
  if (status >= 200 && status < 300) {
    if (first.answer === undefined) return first.resolve(undefined);
    let shaped = null;
    try {
      shaped = shape(body, first.answer);
    } catch {
      // The wasm reads it again, and says why it cannot.
    }
    if (shaped !== null && shaped[0] === 0) return first.resolve(shaped[1]);
  }
  try {
    first.resolve(first.client.resume(first, status, body, headers, units));
  } catch (error) {
    first.reject(error);
  }
}
