// A Worker of your own that uses the package: GET / answers the project's clusters as
// JSON. Credentials are secrets (`wrangler secret put NHN_API_PASSWORD`, or
// .dev.vars locally); wrangler bundles "nks-edge" with its wasm.
import { NksClient, NksError } from "nks-edge";

// One client per isolate (per set of credentials): it caches its Identity token, so
// requests after the first spend no subrequest on Identity.
let cached = null;

function clientFor(env) {
  const settings = [env.NKS_ENDPOINT, env.NHN_TENANT_ID, env.NHN_USERNAME, env.NHN_API_PASSWORD, env.NHN_IDENTITY_URL].join("\n");
  if (cached?.settings !== settings) {
    const client = new NksClient({
      endpoint: env.NKS_ENDPOINT,
      identity: {
        tenantId: env.NHN_TENANT_ID,
        username: env.NHN_USERNAME,
        password: env.NHN_API_PASSWORD,
        endpoint: env.NHN_IDENTITY_URL || undefined,
      },
    });
    cached = { settings, client };
  }
  return cached.client;
}

export default {
  async fetch(request, env) {
    const nks = clientFor(env);
    try {
      const clusters = await nks.listClusters();
      return Response.json(clusters.map((c) => ({ name: c.name, status: c.status })));
    } catch (error) {
      if (!(error instanceof NksError)) throw error;
      return Response.json({ error: error.kind, message: error.message }, { status: 502 });
    }
  },
};
