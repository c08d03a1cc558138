// A Worker of your own that uses the package: GET / answers the project's clusters as
// JSON. Credentials are secrets (`wrangler secret put NHN_API_PASSWORD`, or
// .dev.vars locally); wrangler bundles "nks-edge" with its wasm.
import { NksClient, NksError } from "nks-edge";

export default {
  async fetch(request, env) {
    const nks = new NksClient({
      endpoint: env.NKS_ENDPOINT,
      identity: {
        tenantId: env.NHN_TENANT_ID,
        username: env.NHN_USERNAME,
        password: env.NHN_API_PASSWORD,
        endpoint: env.NHN_IDENTITY_URL || undefined,
      },
    });
    try {
      const clusters = await nks.listClusters();
      return Response.json(clusters.map((c) => ({ name: c.name, status: c.status })));
    } catch (error) {
      if (!(error instanceof NksError)) throw error;
      return Response.json({ error: error.kind, message: error.message }, { status: 502 });
    }
  },
};
