// One cold start: compile and instantiate the package's wasm in this fresh process.
// Prints the milliseconds it took (reading the file is not counted).
import { readFileSync } from "node:fs";
import { initSync } from "../js/pkg/nks_edge.js";

const bytes = readFileSync(new URL("../js/pkg/nks_edge_bg.wasm", import.meta.url));
const started = performance.now();
initSync({ module: bytes });
console.log(performance.now() - started);
