// The five boundary variants in workerd (bench/boundary.mjs runs this Worker in
// Miniflare): each request runs `n` calls of one variant in process and answers the last
// value; bench/boundary.mjs times the request from outside (time does not advance
// inside a Worker between I/O).
import * as direct from "../../target/boundary/transport-direct/nks_edge.js";
import directWasm from "../../target/boundary/transport-direct/nks_edge_bg.wasm";
import * as gloo from "../../target/boundary/transport-gloo/nks_edge.js";
import glooWasm from "../../target/boundary/transport-gloo/nks_edge_bg.wasm";
import * as json from "../../target/boundary/values-json/nks_edge.js";
import jsonWasm from "../../target/boundary/values-json/nks_edge_bg.wasm";
import * as swb from "../../target/boundary/values-swb/nks_edge.js";
import swbWasm from "../../target/boundary/values-swb/nks_edge_bg.wasm";
import * as packed from "../../target/boundary/values-packed/nks_edge.js";
import packedWasm from "../../target/boundary/values-packed/nks_edge_bg.wasm";

const variants = { "transport-direct": direct, "transport-gloo": gloo, "values-json": json, "values-swb": swb, "values-packed": packed };
for (const [module, wasm] of [[direct, directWasm], [gloo, glooWasm], [json, jsonWasm], [swb, swbWasm], [packed, packedWasm]]) {
  module.initSync({ module: wasm });
}
const realFetch = globalThis.fetch;
/** The clusters answer `fetch` gives (POST /answer sets it). */
let answer = "";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/answer") {
      answer = await request.text();
      for (const module of [direct, gloo]) module.connect("http://stub.invalid", "token");
      return Response.json([json.load(answer), swb.load(answer), packed.load(answer)]);
    }
    const module = variants[url.searchParams.get("variant")];
    const n = Number(url.searchParams.get("n"));
    let last;
    if (url.pathname === "/listClusters") {
      globalThis.fetch = async () =>
        new Response(answer, { status: 200, headers: { "content-type": "application/json", "x-openstack-request-id": "req-1" } });
      try {
        for (let i = 0; i < n; i++) last = await module.listClusters();
      } finally {
        globalThis.fetch = realFetch;
      }
    } else {
      for (let i = 0; i < n; i++) last = module.toJs();
    }
    return Response.json(last);
  },
};
