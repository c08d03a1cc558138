// Compiled with `tsc --strict --noEmit`: the whole API type-checks, and each misuse
// marked @ts-expect-error must fail to compile (tsc reports an unused directive).
import { NksClient, NksError, calendar, validatePolicy } from "nks-edge/policy";
import initPolicy from "nks-edge/policy/init";
import { NksClient as ApiClient, NksError as ApiError } from "nks-edge";
import type { Calendar } from "nks-edge";
import type { Autoscale, Cluster, ErrorKind, NodeGroup, Report, ScalePolicy } from "nks-edge";
import type { Accepted, Addon, AddonType, Event, InstalledAddon, IpAcl } from "nks-edge";

async function whole(): Promise<void> {
  const nks = new NksClient({ region: "kr1", identity: { tenantId: "t", username: "u@example.com", password: "p" }, timeoutMs: 5000, retries: 1 });
  const byEndpoint = new NksClient({ endpoint: "http://127.0.0.1:9511", token: "tok", maxNodeCount: 20 });

  const clusters: Cluster[] = await nks.listClusters();
  const one: Cluster = await nks.getCluster(clusters[0]?.uuid ?? "prod");
  const enabled: boolean | undefined = one.labels?.ca_enable;
  const size: number | undefined = one.labels?.boot_volume_size;
  const { uuid } = await nks.createCluster({
    name: "c", cluster_template_id: "iaas_console", keypair: "k", node_count: 1, flavor_id: "f",
    fixed_network: "n", fixed_subnet: "s",
    labels: { availability_zone: "kr1-pub-a", node_image: "i", boot_volume_type: "General HDD", boot_volume_size: "20",
      cert_manager_api: true, ca_enable: "False", kube_tag: "v1.21.6", master_lb_floating_ip_enabled: false },
  });
  const gone: undefined = await nks.deleteCluster(uuid);
  await nks.resize("prod", { nodegroup: "default-worker", node_count: 3, nodes_to_remove: [] });
  const yaml: string = await nks.getKubeconfig("prod");
  const groups: NodeGroup[] = await nks.listNodeGroups("prod");
  const group: NodeGroup = await nks.getNodeGroup("prod", "default-worker");
  await nks.createNodeGroup("prod", { name: "g", flavor_id: "f", image_id: "i",
    labels: { availability_zone: "a", boot_volume_type: "t", boot_volume_size: 20, ca_enable: true } });
  await nks.deleteNodeGroup("prod", "g");
  const settings: Autoscale = await nks.getAutoscale("prod", "default-worker");
  await nks.setAutoscale("prod", "default-worker", { ca_enable: true, ca_min_node_count: 1, ca_max_node_count: 3 });
  await nks.upgrade("prod", "default-master", "v1.21.6");
  const versions: Record<string, boolean> = await nks.supportedVersions();

  const policy: ScalePolicy = {
    timezone: "Asia/Seoul",
    rules: [
      { name: "b", cluster: "prod", nodegroup: ["a", "b"], when: { days: "Mon-Fri", from: "08:30", to: "19:00" }, autoscale: { enable: true, min: 3, max: 10 } },
      { cluster: "prod", nodegroup: "batch", node_count: 4 },
    ],
  };
  const plan: Report = await nks.plan(policy, new Date());
  const report: Report = await byEndpoint.reconcile(JSON.stringify(policy), "2026-11-26T09:00:00+09:00", { dryRun: true, budget: 40 });
  const result: "planned" | "applied" | "failed" | "deferred" | undefined = report.actions[0]?.result;
  // An action's settings by its kind: versions and certificate dates are strings.
  const changes = report.actions.map((a) => {
    switch (a.action) {
      case "upgrade": {
        const to: string = a.to.version;
        return `${a.nodegroup}: ${a.from.version} -> ${to}`;
      }
      case "renew_certificates": {
        const years: number = a.to.term_of_validity;
        const expiry: string = a.from.certificate_expiry;
        const none: undefined = a.nodegroup;
        return `${expiry} +${years}y ${none ?? ""}`;
      }
      default: {
        const count: number | boolean | undefined = a.to.node_count;
        return `${a.nodegroup}: ${count}`;
      }
    }
  });

  try {
    await nks.getCluster("ghost");
  } catch (error) {
    if (error instanceof NksError) {
      const kind: ErrorKind = error.kind;
      const details: [number, string | null, string | null, string | null, string | null] =
        [error.status, error.title, error.detail, error.requestId, error.field];
      const message: string = error.message;
      void [kind, details, message];
    }
  }
  void [byEndpoint, enabled, size, gone, yaml, groups, group, settings, versions, plan, result, changes];
}

async function misuse(nks: NksClient): Promise<void> {
  // @ts-expect-error: a region must be kr1, kr2 or kr3
  new NksClient({ region: "us1", token: "t" });
  // @ts-expect-error: a token or identity credentials are required
  new NksClient({ region: "kr1" });
  // @ts-expect-error: not both
  new NksClient({ region: "kr1", token: "t", identity: { tenantId: "t", username: "u", password: "p" } });
  // @ts-expect-error: the cluster is a string
  await nks.getCluster(42);
  // @ts-expect-error: node_count is required
  await nks.resize("prod", { nodegroup: "default-worker" });
  // @ts-expect-error: ca_enable is required
  await nks.setAutoscale("prod", "w", { ca_max_node_count: 3 });
  // @ts-expect-error: the template must be iaas_console
  await nks.createCluster({ name: "c", cluster_template_id: "k8s", keypair: "k", node_count: 1, flavor_id: "f", fixed_network: "n", fixed_subnet: "s",
    labels: { availability_zone: "a", node_image: "i", boot_volume_type: "t", boot_volume_size: 20, cert_manager_api: true, ca_enable: false, kube_tag: "v", master_lb_floating_ip_enabled: false } });
  // @ts-expect-error: a rule sets autoscale or node_count, not both
  const both: ScalePolicy = { timezone: "Asia/Seoul", rules: [{ cluster: "c", nodegroup: "w", node_count: 2, autoscale: { min: 1 } }] };
  // A policy of maintenance alone (the runtime accepts it).
  const upkeep: ScalePolicy = { timezone: "UTC", maintenance: [{ cluster: "prod", when: { days: "Sun" }, renew_certificates: { days_before_expiry: 30, term_of_validity: 1 } }] };
  // @ts-expect-error: a policy has rules, maintenance or both
  const empty: ScalePolicy = { timezone: "UTC" };
  // @ts-expect-error: the kubeconfig is a string
  const yaml: number = await nks.getKubeconfig("prod");
  try {
    await nks.listClusters();
  } catch (error) {
    if (error instanceof NksError) {
      // @ts-expect-error: "timed_out" is not an error kind
      if (error.kind === "timed_out") return;
    }
  }
  void [both, yaml];
}

async function currentGuide(nks: NksClient): Promise<void> {
  const gateway = new NksClient({ endpoint: "https://worker.example/nks", accessKey: "key-1" });
  const events: Event[] = await gateway.listEvents("prod");
  const state: string | undefined = (await nks.getEvent("prod", events[0]?.uuid ?? "e")).state;
  const acl: IpAcl = await nks.getIpAcl("prod");
  const on: boolean = acl.enable;
  await nks.setIpAcl("prod", { enable: true, action: "ALLOW", ipacl_targets: [{ cidr_address: "10.0.0.0/24", description: "office" }] });
  await nks.setIpAcl("prod", { enable: false });
  const renewed: Accepted = await nks.renewCertificates("prod", { term_of_validity: 5 });
  await nks.updateServiceGateways("prod", { ncr_sgw: "n", obs_sgw: "o" });
  await nks.setControlPlaneLog("prod", { enable: true, type: "lncs", sgw: "s", lncs_appkey: "k", upload_interval: 10 });
  await nks.setControlPlaneLog("prod", { enable: false });
  await nks.stopNodes("prod", "w", ["n-1", "n-2"]);
  await nks.startNodes("prod", "w", ["n-1"]);
  await nks.setMetricAutoscale("prod", "w", {
    mba_scale_out: { enable: true, max_node_count: 6, rules_operator: "OR", delay: 10, adjustment_count: 2, rules: [{ metric: "GROUP_CPU_USAGE", threshold: 80, duration: 2 }] },
    mba_scale_in: { enable: false },
  });
  await nks.changeFlavor("prod", "w", { flavor_id: "f", num_buffer_nodes: 1, num_max_unavailable_nodes: 1 });
  await nks.setFloatingIpAutoBind("prod", "w", { fip_auto_bind_enable: true, fip_bind_subnet: "s", fip_selector: "nks-fip" });
  await nks.setNodeLabels("prod", "w", { tier: "db" });
  await nks.setUserScript("prod", "w", "echo hi");
  await nks.upgrade("prod", "w", "v1.31.4", { num_buffer_nodes: 0 });
  const types: AddonType[] = await nks.listAddonTypes();
  const cni: AddonType = await nks.getAddonType("cni");
  const catalogue: Addon[] = await nks.listAddons();
  const calico: Addon = await nks.getAddon(catalogue[0]?.uuid ?? "a");
  const installed: InstalledAddon[] = await nks.listClusterAddons("prod");
  const one: InstalledAddon = await nks.getClusterAddon("prod", "calico");
  await nks.installAddon("prod", { name: "coredns", version: "1.8.4-nks1", resolve_conflicts: "overwrite", options: { replicas: 2 } });
  await nks.updateAddon("prod", "coredns", { version: "1.8.5-nks1", resolve_conflicts: "none" });
  await nks.uninstallAddon("prod", "coredns");
  const eventTypes: Record<string, string> = await nks.supportedEventTypes();
  try {
    await nks.renewCertificates("prod", { term_of_validity: 1 });
  } catch (error) {
    if (error instanceof NksError) {
      const issues: { field: string; message: string }[] = error.issues;
      void issues;
    }
  }

  // @ts-expect-error: exactly one of token, identity and accessKey
  new NksClient({ endpoint: "https://worker.example/nks", accessKey: "k", token: "t" });
  // @ts-expect-error: term_of_validity is 1..5
  await nks.renewCertificates("prod", { term_of_validity: 6 });
  // @ts-expect-error: node UUIDs are an array
  await nks.stopNodes("prod", "w", "n-1:n-2");
  // @ts-expect-error: an action is required when enabled
  await nks.setIpAcl("prod", { enable: true, ipacl_targets: [{ cidr_address: "10.0.0.1" }] });
  // @ts-expect-error: resolve_conflicts is required
  await nks.installAddon("prod", { name: "coredns", version: "1" });
  // @ts-expect-error: not a metric
  await nks.setMetricAutoscale("prod", "w", { mba_scale_out: { rules: [{ metric: "CPU", threshold: 1, duration: 2 }] } });
  // @ts-expect-error: the lncs type needs its appkey
  await nks.setControlPlaneLog("prod", { enable: true, type: "lncs", sgw: "s" });
  void [state, on, renewed, types, cni, calico, installed, one, eventTypes];
}

/** The policy functions need no client. */
function policyFunctions(policy: ScalePolicy): string {
  validatePolicy(policy);
  validatePolicy(JSON.stringify(policy));
  const week: Calendar = calendar(policy, "2026-11-23");
  const first = week.nodeHours[0];
  const saved: number = first ? first.alwaysAtMax - first.allowed : 0;
  // @ts-expect-error: the week is a date, a Date or epoch milliseconds
  calendar(policy, { day: 1 });
  return `${week.svg}${saved}`;
}

void [whole, misuse, currentGuide, policyFunctions];

// The main entry is the API client alone; the policy entry is it and more.
async function entries(api: ApiClient, full: NksClient, wasm: URL): Promise<void> {
  await api.listClusters();
  // @ts-expect-error: plan is nks-edge/policy's
  await api.plan({ timezone: "UTC", rules: [] });
  const asApi: ApiClient = full;
  const sameError: typeof ApiError = NksError;
  await initPolicy(wasm);
  void [asApi, sameError];
}
void entries;
