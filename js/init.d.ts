export { NksClient, NksError } from "./index.js";

/** Loads the wasm from `wasm` (its URL, a `Response`, its bytes or a compiled module);
 *  the client is usable once the promise resolves. Later calls answer the first's. */
export default function init(
  wasm: string | URL | Request | Response | BufferSource | WebAssembly.Module,
): Promise<void>;
