// Lists the clusters and plans a policy, in Node (>= 20). An ES module: keep the .mjs
// name, or set "type": "module" in your package.json.
//
//   npm install nks-edge
//   NKS_ENDPOINT=https://kr1-api-kubernetes-infrastructure.nhncloudservice.com \
//   NHN_TENANT_ID=… NHN_USERNAME=… NHN_API_PASSWORD=… node plan.mjs policy.json [INSTANT]
//
// INSTANT (RFC 3339 with an offset) plans for that instant instead of now.
import { readFileSync } from "node:fs";
import { NksClient, NksError } from "nks-edge/policy";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};

const nks = new NksClient({
  endpoint: env("NKS_ENDPOINT"),
  identity: {
    tenantId: env("NHN_TENANT_ID"),
    username: env("NHN_USERNAME"),
    password: env("NHN_API_PASSWORD"),
    endpoint: process.env.NHN_IDENTITY_URL, // optional: the provider's by default
  },
});

try {
  for (const cluster of await nks.listClusters()) {
    console.log(`${cluster.name}\t${cluster.status}`);
  }
  const [policyFile, at] = process.argv.slice(2);
  if (policyFile) {
    const report = await nks.plan(readFileSync(policyFile, "utf8"), at);
    for (const a of report.actions) {
      console.log(`${a.cluster}/${a.nodegroup}: ${a.action} (rule ${a.rule}) ${a.result}`);
    }
  }
} catch (error) {
  if (!(error instanceof NksError)) throw error;
  console.error(`${error.kind}: ${error.message}`);
  for (const issue of error.issues ?? []) console.error(`  ${issue.field}: ${issue.message}`);
  process.exitCode = 1;
}
