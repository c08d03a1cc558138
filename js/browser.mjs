// Browsers and bundlers: the wasm is fetched and compiled asynchronously; top-level
// await makes the exports ready on import. The wasm's address is written as
// `new URL("./pkg/nks_edge_bg.wasm", import.meta.url)`, the pattern Vite, webpack 5,
// Parcel and Rollup's URL plugins recognize: they copy the file into the build and
// rewrite the address. esbuild does not: bundle with `nks-edge/init` instead.
import init from "./pkg/nks_edge.js";
import { load } from "./core.mjs";
import { register } from "./api.mjs";

await load(init, new URL("./pkg/nks_edge_bg.wasm", import.meta.url), "nks-edge");
register();

export { NksClient, NksError } from "./api.mjs";
