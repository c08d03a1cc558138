// One side of the tick pair alone in this process (`ours`: the Worker's wasm, or
// `plain`: bench/plain-reconciler.mjs), with the answers in `bodies` (a JSON file)
// served in process: 200 warm-up ticks, then the whole process's CPU per tick over
// 2,500, collections included. Prints it (ms). run.mjs runs each side in several
// fresh processes, alternating: nothing of the other side runs beside it.
import { readFileSync } from "node:fs";
import { batchCpu, settled, stubbedTicks } from "./measure.mjs";

const [side, bodiesPath] = process.argv.slice(2);
if ((side !== "ours" && side !== "plain") || !bodiesPath) throw new Error("usage: node bench/alone.mjs ours|plain BODIES.json");
const tick = stubbedTicks(JSON.parse(readFileSync(bodiesPath, "utf8")))[side];
for (let i = 0; i < 200; i++) await tick();
await settled(); // what the warm-up queued
console.log(await batchCpu(tick, 2500));
