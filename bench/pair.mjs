// One process's measure of the figures `make bench` (run.mjs) compares with a target
// against a plain-JavaScript peer: per call over loopback to the emulator at `url`
// (its default seed), and a tick's CPU with the answers in `bodies` (a JSON file)
// served in process. Prints them as one JSON line. run.mjs runs it in several fresh
// processes: one process's ratio lands up to a quarter from the median process's
// with the engine's choices (what it optimizes when, where the heap lies) and the
// machine's load, the same build on the same machine.
import { readFileSync } from "node:fs";
import { NksClient } from "../js/node.mjs";
import { PlainClient } from "./plain-client.mjs";
import { ACCOUNT, perCallPair, stubbedTicks, tickPair, tokenRequest } from "./measure.mjs";

const [url, bodiesPath] = process.argv.slice(2);
const bodies = JSON.parse(readFileSync(bodiesPath, "utf8"));

// Per call: the same emulator, a ready token for the plain client.
const nks = new NksClient({ endpoint: url, identity: { ...ACCOUNT, endpoint: url }, retries: 0 });
await nks.listClusters(); // the token
const token = JSON.parse(await (await fetch(`${url}/v2.0/tokens`, { method: "POST", body: JSON.stringify(tokenRequest) })).text()).access.token.id;
const plain = new PlainClient(url, token);
const list = await perCallPair(() => nks.listClusters(), () => plain.listClusters(), 200);
const kubeconfig = await perCallPair(() => nks.getKubeconfig("prod"), () => plain.getKubeconfig("prod"), 200);

// The tick, its answers served in process.
const ticks = stubbedTicks(bodies);
console.log(JSON.stringify({ list, kubeconfig, ...(await tickPair(ticks.ours, ticks.plain)) }));
