// The Worker of wrangler.toml in workerd (Miniflare), as the tests run it: its entry,
// compatibility date and module rules read once here.
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";

export const root = new URL("../../", import.meta.url);
export const wrangler = readFileSync(new URL("wrangler.toml", root), "utf8");
const main = /^main\s*=\s*"([^"]+)"/m.exec(wrangler)[1];
const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wrangler)[1];

/** A Miniflare running wrangler.toml's Worker with `options` (bindings, KV, assets…);
 *  the Worker's log lines are pushed onto `logs` when it is given. */
export function workerd(options, logs) {
  return new Miniflare({
    modules: true,
    scriptPath: new URL(main, root).pathname,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate,
    ...(logs && { structuredWorkerdLogs: true, handleStructuredLogs: ({ message }) => { logs.push(message); } }),
    ...options,
  });
}
