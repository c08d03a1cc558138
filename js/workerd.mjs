// workerd (Cloudflare Workers, wrangler, Miniflare): the bundler hands the .wasm over as a
// compiled WebAssembly.Module, instantiated synchronously.
import wasm from "./pkg/nks_edge_bg.wasm";
import { initSync } from "./pkg/nks_edge.js";
import { register } from "./api.mjs";

initSync({ module: wasm });
register();

export { NksClient, NksError } from "./api.mjs";
