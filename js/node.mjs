// Node (>= 20) and Deno: the wasm is read from the package and initialized before the
// module's exports are used; no init call is needed.
import { readFileSync } from "node:fs";
import { initSync } from "./pkg/nks_edge.js";
import { register } from "./api.mjs";

initSync({ module: readFileSync(new URL("./pkg/nks_edge_bg.wasm", import.meta.url)) });
register();

export { NksClient, NksError } from "./api.mjs";
