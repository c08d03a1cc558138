// Browsers and bundlers (Vite, esbuild, …): the wasm is fetched and compiled
// asynchronously; top-level await makes the exports ready on import.
import init from "./pkg/nks_edge.js";
import { register } from "./core.mjs";

await init({ module_or_path: new URL("./pkg/nks_edge_bg.wasm", import.meta.url) });
register();

export { NksClient, NksError } from "./core.mjs";
