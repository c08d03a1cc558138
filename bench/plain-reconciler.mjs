// The baseline for a tick's CPU: a hand-written JavaScript reconciler doing the same
// work as `reconcile` for autoscale rules — one Identity request, one read per cluster
// (busy clusters skipped), one read per node group, a comparison of the managed
// settings, and one write per difference, 6 requests in flight at most — with none of
// nks-edge's validation, time zones, budget or report.
const MANAGED = { enable: "ca_enable", min: "ca_min_node_count", max: "ca_max_node_count" };

export async function plainReconcile(endpoint, identity, rules) {
  const tokenAnswer = await fetch(`${identity.endpoint}/v2.0/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: { tenantId: identity.tenantId, passwordCredentials: { username: identity.username, password: identity.password } } }),
  });
  const token = JSON.parse(await tokenAnswer.text()).access.token.id;
  const headers = { accept: "application/json", "content-type": "application/json", "openstack-api-version": "container-infra latest", "x-auth-token": token };
  const get = async (path) => JSON.parse(await (await fetch(`${endpoint}${path}`, { headers })).text());
  const limited = async (jobs) => {
    const out = [];
    let next = 0;
    await Promise.all(Array.from({ length: 6 }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }));
    return out;
  };
  const clusters = await limited(rules.map((r) => () => get(`/v1/clusters/${encodeURIComponent(r.cluster)}`)));
  const reads = [];
  rules.forEach((rule, i) => {
    if (!String(clusters[i].status).endsWith("_COMPLETE")) return;
    for (const group of rule.nodegroup) reads.push({ rule, group });
  });
  const settings = await limited(reads.map(({ rule, group }) => () => get(`/v1/clusters/${encodeURIComponent(rule.cluster)}/nodegroups/${encodeURIComponent(group)}/autoscale`)));
  const writes = [];
  reads.forEach(({ rule, group }, i) => {
    const wanted = {};
    for (const [key, wire] of Object.entries(MANAGED)) if (rule.autoscale[key] !== undefined) wanted[wire] = rule.autoscale[key];
    if (Object.entries(wanted).some(([wire, value]) => settings[i][wire] !== value)) {
      const body = JSON.stringify({ ...settings[i], ...wanted, ca_image: undefined });
      writes.push(() => fetch(`${endpoint}/v1/clusters/${encodeURIComponent(rule.cluster)}/nodegroups/${encodeURIComponent(group)}/autoscale`, { method: "POST", headers, body }).then((r) => r.text()));
    }
  });
  await limited(writes);
  return writes.length;
}
