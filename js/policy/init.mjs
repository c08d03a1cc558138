// `nks-edge/policy` loaded by hand, as `nks-edge/init` is:
//   import init, { NksClient, calendar } from "nks-edge/policy/init";
//   import wasm from "nks-edge/policy/nks_edge_bg.wasm"; // esbuild: --loader:.wasm=file
//   await init(wasm);
import initWasm from "../pkg-policy/nks_edge.js";
import { initOnce } from "../core.mjs";
import { register } from "./api.mjs";

export default initOnce(initWasm, register);
export { NksClient, NksError, validatePolicy, calendar } from "./api.mjs";
