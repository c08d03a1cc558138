// The main entry's classes, over the API client's wasm (js/pkg/: every operation, no
// policy functions; those are in `nks-edge/policy`).
import * as pkg from "./pkg/nks_edge.js";
import { define } from "./core.mjs";

export const { NksClient, register } = define(pkg);
export { NksError } from "./core.mjs";
