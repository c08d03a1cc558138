// Browsers and bundlers: the wasm is fetched and compiled asynchronously; top-level
// await makes the exports ready on import. The wasm's address is written as
// `new URL("./pkg/nks_edge_bg.wasm", import.meta.url)`, the pattern Vite, webpack 5,
// Parcel and Rollup's URL plugins recognize: they copy the file into the build and
// rewrite the address. esbuild does not: bundle with `nks-edge/init` instead.
import init from "./pkg/nks_edge.js";
import { register } from "./core.mjs";

const wasm = new URL("./pkg/nks_edge_bg.wasm", import.meta.url);
try {
  await init({ module_or_path: wasm });
} catch (cause) {
  throw new Error(
    `nks-edge could not load its WebAssembly from ${wasm} (${cause?.message ?? cause}). ` +
      "If a bundler built this page, it did not copy the file: with esbuild, import " +
      "`nks-edge/init` and `nks-edge/nks_edge_bg.wasm` (loader `file`); see the package's README.",
    { cause },
  );
}
register();

export { NksClient, NksError, validatePolicy, calendar } from "./core.mjs";
