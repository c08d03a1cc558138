// `nks-edge/policy` in workerd: the bundler hands the .wasm over as a compiled module.
import wasm from "../pkg-policy/nks_edge_bg.wasm";
import { initSync } from "../pkg-policy/nks_edge.js";
import { register } from "./api.mjs";

initSync({ module: wasm });
register();

export { NksClient, NksError, validatePolicy, calendar } from "./api.mjs";
