// `nks-edge/policy` in browsers and bundlers: loaded on import (top-level await), from an
// address bundlers recognize (see ../browser.mjs); with esbuild use `nks-edge/policy/init`.
import init from "../pkg-policy/nks_edge.js";
import { load } from "../core.mjs";
import { register } from "./api.mjs";

await load(init, new URL("../pkg-policy/nks_edge_bg.wasm", import.meta.url), "nks-edge/policy");
register();

export { NksClient, NksError, validatePolicy, calendar } from "./api.mjs";
