// `nks-edge/policy` in Node (>= 20) and Deno: initialized on import, as `nks-edge` is.
import { readFileSync } from "node:fs";
import { initSync } from "../pkg-policy/nks_edge.js";
import { register } from "./api.mjs";

initSync({ module: readFileSync(new URL("../pkg-policy/nks_edge_bg.wasm", import.meta.url)) });
register();

export { NksClient, NksError, validatePolicy, calendar } from "./api.mjs";
