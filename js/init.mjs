// For bundlers that do not recognize `new URL(…, import.meta.url)` (esbuild), and for
// pages that serve the wasm from elsewhere: nothing is loaded until `init(wasm)`.
//   import init, { NksClient } from "nks-edge/init";
//   import wasm from "nks-edge/nks_edge_bg.wasm"; // esbuild: --loader:.wasm=file
//   await init(wasm);
import initWasm from "./pkg/nks_edge.js";
import { initOnce } from "./core.mjs";
import { register } from "./api.mjs";

export default initOnce(initWasm, register);
export { NksClient, NksError } from "./api.mjs";
