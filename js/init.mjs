// For bundlers that do not recognize `new URL(…, import.meta.url)` (esbuild), and for
// pages that serve the wasm from elsewhere: nothing is loaded until `init(wasm)`.
//   import init, { NksClient } from "nks-edge/init";
//   import wasm from "nks-edge/nks_edge_bg.wasm"; // esbuild: --loader:.wasm=file
//   await init(wasm);
import initWasm from "./pkg/nks_edge.js";
import { register } from "./core.mjs";

let ready;

/** Loads the wasm from `wasm` (a URL, a `Response`, bytes or a `WebAssembly.Module`);
 *  later calls answer the first call's promise. */
export default function init(wasm) {
  ready ??= initWasm({ module_or_path: wasm }).then(() => register());
  return ready;
}

export { NksClient, NksError, validatePolicy, calendar } from "./core.mjs";
