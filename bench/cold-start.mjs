// One cold start: compile and instantiate one of the package's wasms (`pkg`, the main
// entry's, by default; `pkg-policy`) in this fresh process. Prints the milliseconds it
// took (reading the file is not counted).
import { readFileSync } from "node:fs";

const dir = new URL(`../js/${process.argv[2] ?? "pkg"}/`, import.meta.url);
const { initSync } = await import(new URL("nks_edge.js", dir).href);
const bytes = readFileSync(new URL("nks_edge_bg.wasm", dir));
const started = performance.now();
initSync({ module: bytes });
console.log(performance.now() - started);
