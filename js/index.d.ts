// Types of the npm package `nks-edge`. Objects keep the API's field names (snake_case);
// values are normalized: documented boolean labels are booleans, documented counts,
// sizes, times and thresholds are numbers, and everything else stays as sent.
// The policy's types are here too; its functions are in `nks-edge/policy` (policy/index.d.ts).

/** NHN Cloud regions with a Kubernetes endpoint. */
export type Region = "kr1" | "kr2" | "kr3";

/** NHN Identity credentials (`POST /v2.0/tokens`). */
export interface IdentityCredentials {
  tenantId: string;
  /** The NHN Cloud user id (an e-mail address). */
  username: string;
  /** The API password set in the console. */
  password: string;
  /** Identity base URL; default `https://api-identity-infrastructure.nhncloudservice.com`. */
  endpoint?: string;
}

interface CommonOptions {
  /** Per-request timeout in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Extra tries of idempotent calls (reads, deletes, writes of absolute values) on 429, 502, 503, 504, timeouts, network errors and unreadable answers (default 2). */
  retries?: number;
  /** Upper bound of node counts, if a quota raised it (default 10). */
  maxNodeCount?: number;
}

type Where = { region: Region; endpoint?: string } | { endpoint: string; region?: Region };
type Auth =
  | { token: string; identity?: never; accessKey?: never }
  | { identity: IdentityCredentials; token?: never; accessKey?: never }
  /** A key of the nks-edge Worker's gateway (`endpoint: "https://<worker>/nks"`): sent as `Authorization: Bearer`. */
  | { accessKey: string; token?: never; identity?: never };

/** Options of `new NksClient(…)`: a region or endpoint (endpoint wins), and exactly one of a
 *  token, Identity credentials or a gateway access key. */
export type NksClientOptions = CommonOptions & Where & Auth;

/** What went wrong. */
export type ErrorKind =
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "bad_request"
  | "rate_limited"
  | "server"
  | "timeout"
  | "network"
  | "invalid_response";

/** Every failure of the client rejects with an `NksError`. */
export declare class NksError extends Error {
  readonly name: "NksError";
  readonly kind: ErrorKind;
  /** The HTTP status, or 0 when no answer came (and for `validation`). */
  readonly status: number;
  /** The API's title, from its `errors` body (Identity's: its `error.title`). */
  readonly title: string | null;
  /** The API's detail, from its `errors` body (Identity's: its `error.message`). */
  readonly detail: string | null;
  /** From the `x-openstack-request-id` header. */
  readonly requestId: string | null;
  /** The input field at fault (`validation` only), e.g. `labels.cert_manager_api`: the first of `issues`. */
  readonly field: string | null;
  /** Every problem found in the input (`validation`), each with its field's JSON path. */
  readonly issues: FieldIssue[];
  /** The service that failed (`NKS` or `Identity`); `null` for `validation`. */
  readonly service: "NKS" | "Identity" | null;
  /** After a failed connection, what the runtime said (`connect ECONNREFUSED …`). */
  readonly cause?: Error;
}

/** One problem of an input: where (a JSON path, empty for the whole value) and what. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Magnum statuses; others pass through as strings. */
export type Status =
  | "CREATE_IN_PROGRESS"
  | "CREATE_COMPLETE"
  | "CREATE_FAILED"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_FAILED"
  | "DELETE_IN_PROGRESS"
  | "DELETE_COMPLETE"
  | "DELETE_FAILED"
  | (string & {});

/** Cluster or node group labels, as read (normalized). */
export interface Labels {
  availability_zone?: string;
  node_image?: string;
  boot_volume_type?: string;
  boot_volume_size?: number;
  external_network_id?: string;
  /** Colon-separated subnet UUIDs. */
  external_subnet_id_list?: string;
  cert_manager_api?: boolean;
  ca_enable?: boolean;
  ca_max_node_count?: number;
  ca_min_node_count?: number;
  ca_scale_down_enable?: boolean;
  ca_scale_down_unneeded_time?: number;
  ca_scale_down_util_thresh?: number;
  ca_scale_down_delay_after_add?: number;
  kube_tag?: string;
  user_script?: string;
  master_lb_floating_ip_enabled?: boolean;
  ca_pod_replicas?: number;
  user_script_v2?: string;
  strict_sg_rules?: boolean;
  fip_auto_bind_enable?: boolean;
  fip_bind_subnet?: string;
  fip_selector?: string;
  k8s_node_labels?: unknown;
  extra_security_groups?: ExtraSecurityGroup[];
  extra_volumes?: ExtraVolume[];
  service_cluster_ip_range?: string;
  pods_network_cidr?: string;
  pods_network_subnet?: number;
  ncr_sgw?: string;
  obs_sgw?: string;
  /** Certificate validity in years. */
  term_of_validity?: number;
  /** When the certificates expire. */
  certificate_expiry?: string;
  platform_version?: string;
  /** `LATEST`, `NEED_UPGRADE`, … */
  kube_version_status?: string;
  /** Labels the reference does not document, as they came. */
  [other: string]: unknown;
}

/** An additional security group of a worker node group. */
export interface ExtraSecurityGroup {
  target_subnet?: string;
  /** Comma-separated security group UUIDs. */
  security_group_ids?: string;
  [other: string]: unknown;
}

/** An additional block storage of a worker node group. */
export interface ExtraVolume {
  volume_type?: string;
  volume_size?: number;
  volume_key_id?: string;
  volume_appkey?: string;
  volume_mount_path?: string;
  [other: string]: unknown;
}

/** A cluster: list entries carry a subset of the detail's fields. */
export interface Cluster {
  uuid: string;
  name: string;
  status?: Status;
  status_reason?: string;
  flavor_id?: string;
  keypair?: string;
  node_count?: number;
  stack_id?: string;
  api_address?: string;
  project_id?: string;
  fixed_network?: string;
  fixed_subnet?: string;
  node_addresses?: string[];
  created_at?: string;
  updated_at?: string;
  labels?: Labels;
  /** `FRESH`, `STALE`, `ROTTEN` (older clusters: `HEALTHY`). */
  health_status?: string;
  /** Details of `health_status` per worker node group, as they came. */
  health_status_reason?: Record<string, unknown>;
  [other: string]: unknown;
}

/** A node group (`default-master` is never listed). */
export interface NodeGroup {
  uuid: string;
  name: string;
  cluster_id?: string;
  flavor_id?: string;
  image_id?: string;
  max_node_count?: number;
  min_node_count?: number;
  node_count?: number;
  node_addresses?: string[];
  role?: string;
  project_id?: string;
  stack_id?: string;
  status?: Status;
  status_reason?: string;
  created_at?: string;
  updated_at?: string;
  labels?: Labels;
  version?: string;
  [other: string]: unknown;
}

/** A boolean label, normalized or in its wire form. */
export type Flag = boolean | "True" | "False" | "true" | "false";
/** A count, normalized or in its wire form. */
export type Count = number | `${number}`;

/** Labels as requests accept them. */
export interface LabelsInput {
  availability_zone?: string;
  node_image?: string;
  boot_volume_type?: string;
  boot_volume_size?: Count;
  external_network_id?: string;
  external_subnet_id_list?: string;
  cert_manager_api?: Flag;
  ca_enable?: Flag;
  ca_max_node_count?: Count;
  ca_min_node_count?: Count;
  ca_scale_down_enable?: Flag;
  ca_scale_down_unneeded_time?: Count;
  ca_scale_down_util_thresh?: Count;
  ca_scale_down_delay_after_add?: Count;
  kube_tag?: string;
  user_script?: string;
  master_lb_floating_ip_enabled?: Flag;
  ca_pod_replicas?: Count;
  user_script_v2?: string;
  strict_sg_rules?: Flag;
  fip_auto_bind_enable?: Flag;
  fip_bind_subnet?: string;
  fip_selector?: string;
  k8s_node_labels?: unknown;
  extra_security_groups?: ExtraSecurityGroup[];
  extra_volumes?: (Omit<ExtraVolume, "volume_size"> & { volume_size?: Count })[];
  /** The service network: an IPv4 CIDR of at least a /24, apart from the pod network,
   *  169.254.0.0/16 and 198.18.0.0/19. */
  service_cluster_ip_range?: string;
  /** The pod network: same rules as `service_cluster_ip_range`. */
  pods_network_cidr?: string;
  /** The pod subnet size: 20..28, at least 2 more than the pod network's prefix. */
  pods_network_subnet?: Count;
  ncr_sgw?: string;
  obs_sgw?: string;
  [other: string]: unknown;
}

/** `createCluster(spec)`: checked before any request (the error names the field). */
export interface ClusterCreateSpec {
  name: string;
  cluster_template_id: "iaas_console";
  keypair: string;
  node_count: Count;
  flavor_id: string;
  fixed_network: string;
  fixed_subnet: string;
  labels: LabelsInput & {
    availability_zone: string;
    node_image: string;
    boot_volume_type: string;
    boot_volume_size: Count;
    cert_manager_api: true | "True" | "true";
    ca_enable: Flag;
    kube_tag: string;
    master_lb_floating_ip_enabled: Flag;
  };
  /** Add-ons installed with the cluster. */
  addons?: AddonSpec[];
  [other: string]: unknown;
}

/** An add-on installed with a new cluster. */
export interface AddonSpec {
  name: string;
  version: string;
  options?: Record<string, unknown>;
}

/** `createNodeGroup(cluster, spec)`. */
export interface NodeGroupCreateSpec {
  name: string;
  node_count?: Count;
  flavor_id: string;
  image_id: string;
  labels: LabelsInput & {
    availability_zone: string;
    boot_volume_type: string;
    boot_volume_size: Count;
    ca_enable: Flag;
  };
  [other: string]: unknown;
}

/** `resize(cluster, spec)`. */
export interface ResizeSpec {
  nodegroup: string;
  node_count: Count;
  nodes_to_remove?: string[];
}

/** Autoscaler settings, as `setAutoscale` takes them. */
export interface AutoscaleSettings {
  ca_enable: Flag;
  ca_max_node_count?: Count;
  ca_min_node_count?: Count;
  ca_scale_down_enable?: Flag;
  ca_scale_down_unneeded_time?: Count;
  ca_scale_down_util_thresh?: Count;
  ca_scale_down_delay_after_add?: Count;
  ca_pod_replicas?: Count;
}

/** Autoscaler settings, as `getAutoscale` answers them. */
export interface Autoscale {
  ca_enable: boolean;
  ca_max_node_count?: number;
  ca_min_node_count?: number;
  ca_scale_down_enable?: boolean;
  ca_scale_down_unneeded_time?: number;
  ca_scale_down_util_thresh?: number;
  ca_scale_down_delay_after_add?: number;
  ca_pod_replicas?: number;
  [other: string]: unknown;
}

/** `{ uuid }`: the cluster's or node group's. */
export interface Accepted {
  uuid: string;
}

/** A task of a cluster's history. */
export interface Event {
  uuid: string;
  id?: number;
  project_id?: string;
  cluster_uuid?: string;
  cluster_name?: string;
  resource_uuid?: string;
  resource_name?: string;
  resource_type?: "cluster" | "nodegroup" | (string & {});
  /** The task type (see `supportedEventTypes()`), e.g. `CLUSTER_CREATE`. */
  type?: string;
  state?: "IN_PROGRESS" | "SUCCESS" | "FAIL" | (string & {});
  contents?: string;
  created_at?: string;
  updated_at?: string;
  [other: string]: unknown;
}

/** An address or IPv4 CIDR range under IP access control. */
export interface IpAclTarget {
  cidr_address: string;
  description?: string;
}

/** IP access control of a cluster's API endpoint, as `getIpAcl` answers it. */
export interface IpAcl {
  cluster_uuid?: string;
  enable: boolean;
  action?: "ALLOW" | "DENY";
  ipacl_targets?: IpAclTarget[];
  [other: string]: unknown;
}

/** `setIpAcl(cluster, settings)`: when on, an action and 1..100 targets (IPv4 addresses or CIDRs). */
export type IpAclSettings =
  | { enable: true | "True" | "true"; action: "ALLOW" | "DENY"; ipacl_targets: IpAclTarget[] }
  | { enable: false | "False" | "false"; action?: "ALLOW" | "DENY"; ipacl_targets?: IpAclTarget[] };

/** `renewCertificates(cluster, spec)`. */
export interface CertificateRenewal {
  /** Years, 1..5. */
  term_of_validity: 1 | 2 | 3 | 4 | 5;
}

/** `updateServiceGateways(cluster, spec)`. */
export interface ServiceGateways {
  ncr_sgw: string;
  obs_sgw: string;
}

/** `setControlPlaneLog(cluster, settings)`: where the control plane's logs go. */
export type ControlPlaneLog =
  | { enable: false | "False" | "false" }
  | {
      enable: true | "True" | "true";
      type: "lncs";
      sgw: string;
      lncs_appkey: string;
      /** Minutes, 1..60 (default 10). */
      upload_interval?: number;
    }
  | {
      enable: true | "True" | "true";
      type: "obs";
      sgw: string;
      obs_api_url: string;
      obs_store_as?: "gzip" | "text";
      /** Minutes, 1..60 (default 10). */
      upload_interval?: number;
    };

/** How nodes are replaced by an upgrade or a flavor change. */
export interface RolloutOptions {
  /** Extra nodes while replacing (default 1; may be 0). */
  num_buffer_nodes?: number;
  /** Most nodes out of service at once (default 1; at least 1). */
  num_max_unavailable_nodes?: number;
}

/** `changeFlavor(cluster, nodegroup, spec)`. */
export interface FlavorChange extends RolloutOptions {
  flavor_id: string;
}

/** What the metric-based autoscaler watches. */
export type Metric =
  | "GROUP_CPU_USAGE"
  | "GROUP_MEMORY_USAGE"
  | "GROUP_DISK_READ_BYTES"
  | "GROUP_DISK_WRITE_BYTES"
  | "GROUP_NETWORK_SENT_BYTES"
  | "GROUP_NETWORK_RECV_BYTES";

/** A rule of the metric-based autoscaler. */
export interface MetricRule {
  metric: Metric;
  threshold: number;
  /** Minutes, 2..60. */
  duration: number;
}

/** One direction of the metric-based autoscaler (rules required when enabled). */
export interface MetricPolicy {
  enable?: Flag;
  rules_operator?: "AND" | "OR" | "and" | "or";
  /** Minutes, 1..60. */
  delay?: number;
  /** Nodes at a time, 1..10. */
  adjustment_count?: number;
  rules?: MetricRule[];
}

/** `setMetricAutoscale(cluster, nodegroup, spec)`: at least one direction. */
export interface MetricAutoscale {
  mba_scale_out?: MetricPolicy & { max_node_count?: number };
  mba_scale_in?: MetricPolicy & { min_node_count?: number };
}

/** `setFloatingIpAutoBind(cluster, nodegroup, settings)`. */
export type FipAutoBind =
  | { fip_auto_bind_enable: true | "True" | "true"; fip_bind_subnet: string; fip_selector?: string }
  | { fip_auto_bind_enable: false | "False" | "false"; fip_bind_subnet?: string; fip_selector?: string };

/** A type of add-on (`cni`, `kube-dns`). */
export interface AddonType {
  uuid: string;
  name: string;
  mandatory?: boolean;
  [other: string]: unknown;
}

/** An option an add-on takes. */
export interface OptionSchema {
  name: string;
  data_type?: "STRING" | "INTEGER" | "SELECT" | (string & {});
  default?: unknown;
  updatable?: boolean;
  mandatory?: boolean;
  choices?: unknown[];
  [other: string]: unknown;
}

/** An add-on of the catalogue. */
export interface Addon {
  uuid: string;
  name: string;
  /** Its type's name. */
  type?: string;
  version?: string;
  description?: string;
  option_schemas?: OptionSchema[];
  k8s_min_version?: string;
  k8s_max_version?: string;
  deploy_target?: string;
  [other: string]: unknown;
}

/** An add-on installed on a cluster. */
export interface InstalledAddon {
  uuid: string;
  name: string;
  type?: string;
  version?: string;
  options?: Record<string, unknown>;
  status?: Status;
  status_reason?: string;
  project_id?: string;
  cluster_uuid?: string;
  cluster_name?: string;
  scope?: string;
  target_uuid?: string;
  created_at?: string;
  updated_at?: string;
  [other: string]: unknown;
}

/** How an add-on change treats resources changed by hand. */
export type ResolveConflicts = "none" | "overwrite" | "preserve";

/** `installAddon(cluster, spec)`. */
export interface AddonInstall {
  name: string;
  version: string;
  resolve_conflicts: ResolveConflicts;
  options?: Record<string, unknown>;
}

/** `updateAddon(cluster, addon, spec)`. */
export interface AddonUpdate {
  version: string;
  resolve_conflicts: ResolveConflicts;
  options?: Record<string, unknown>;
}

/** Days (`Mon-Fri`, `Sat,Sun`, `Fri-Mon`), times (`HH:MM`; `to` before `from` crosses
 *  midnight) and dates (`2026-12-25`, `2027-01-01..2027-01-02`); all present parts must match. */
export interface When {
  days?: string;
  from?: string;
  to?: string;
  dates?: string[];
}

/** The autoscaler settings a rule manages; settings left out are left as they are. */
export interface AutoscaleGoal {
  enable?: boolean;
  min?: number;
  max?: number;
  scale_down_enable?: boolean;
  scale_down_unneeded_time?: number;
  scale_down_util_thresh?: number;
  scale_down_delay_after_add?: number;
}

interface RuleBase {
  name?: string;
  /** A cluster name or UUID, or a list of them (the rule is then that rule for each). */
  cluster: string | string[];
  nodegroup: string | string[];
  /** An IANA time zone; default: the policy's. */
  timezone?: string;
  /** When it matches; without it, always. */
  when?: When;
}

/** A rule: the first rule in list order whose `when` matches decides a node group's state. */
export type ScaleRule =
  | (RuleBase & { autoscale: AutoscaleGoal; node_count?: never })
  | (RuleBase & { node_count: number; autoscale?: never });

/** What every scaling policy has. */
interface PolicyBase {
  timezone: string;
  /** Upper bound of counts (default 10). */
  max_node_count?: number;
}

/** The scaling policy (`SCALE_POLICY`): rules, maintenance windows, or both. */
export type ScalePolicy =
  | (PolicyBase & { rules: ScaleRule[]; maintenance?: MaintenanceEntry[] })
  | (PolicyBase & { rules?: ScaleRule[]; maintenance: MaintenanceEntry[] });

export type Outcome = "planned" | "applied" | "failed" | "deferred";

export interface Failure {
  kind: ErrorKind | "plan" | "deferred";
  status: number;
  message: string;
  /** The service that failed, for API failures. */
  service?: "nks" | "identity";
}

interface ActionBase {
  cluster: string;
  rule: string;
  /** The transition or maintenance step (`autoscaler_off`, `resize`, `autoscaler_on`,
   *  `control_plane`, `nodegroup`, `certificates`). */
  step?: string;
  result: Outcome;
  error?: Failure;
}

/** One write of a plan, by `action`: its `from` and `to` are the settings it changes. */
export type PlanAction =
  | (ActionBase & {
      nodegroup: string;
      action: "set_autoscale" | "resize";
      from: Record<string, number | boolean | null>;
      to: Record<string, number | boolean>;
    })
  | (ActionBase & { nodegroup: string; action: "upgrade"; from: { version: string }; to: { version: string } })
  | (ActionBase & {
      /** A renewal is the cluster's: no node group. */
      nodegroup?: undefined;
      action: "renew_certificates";
      from: { certificate_expiry: string };
      to: { term_of_validity: number };
    });

export interface Target {
  cluster: string;
  nodegroup: string;
  rule: string;
}

/** A plan, or after `reconcile`, the report. */
export interface Report {
  /** The instant, in the policy's time zone. */
  at: string;
  dry_run: boolean;
  actions: PlanAction[];
  unchanged: Target[];
  skipped: { cluster: string; reason: string }[];
  deferred: Target[];
  errors: { cluster: string; nodegroup?: string; rule?: string; error: Failure }[];
  subrequests: number;
}

export interface RunOptions {
  /** Plan and report, send no write. */
  dryRun?: boolean;
  /** Most subrequests to start (default 50). */
  budget?: number;
  /** Most requests in flight (default 6). */
  concurrency?: number;
}

/** A client of the NKS API. Every method rejects with an `NksError`. */
export declare class NksClient {
  constructor(options: NksClientOptions);
  listClusters(): Promise<Cluster[]>;
  getCluster(idOrName: string): Promise<Cluster>;
  createCluster(spec: ClusterCreateSpec): Promise<Accepted>;
  deleteCluster(idOrName: string): Promise<undefined>;
  resize(idOrName: string, spec: ResizeSpec): Promise<Accepted>;
  /** The kubeconfig YAML. */
  getKubeconfig(idOrName: string): Promise<string>;
  listNodeGroups(cluster: string): Promise<NodeGroup[]>;
  getNodeGroup(cluster: string, nodegroup: string): Promise<NodeGroup>;
  createNodeGroup(cluster: string, spec: NodeGroupCreateSpec): Promise<NodeGroup>;
  deleteNodeGroup(cluster: string, nodegroup: string): Promise<undefined>;
  getAutoscale(cluster: string, nodegroup: string): Promise<Autoscale>;
  setAutoscale(cluster: string, nodegroup: string, settings: AutoscaleSettings): Promise<Accepted>;
  /** `"default-master"` upgrades the control plane (first), then each worker node group. */
  upgrade(cluster: string, nodegroup: string, version: string, options?: RolloutOptions): Promise<Accepted>;
  supportedVersions(): Promise<Record<string, boolean>>;
  /** A cluster's task history (a name costs one cluster read first: the path takes the UUID). */
  listEvents(cluster: string): Promise<Event[]>;
  getEvent(cluster: string, eventUuid: string): Promise<Event>;
  getIpAcl(cluster: string): Promise<IpAcl>;
  setIpAcl(cluster: string, settings: IpAclSettings): Promise<Accepted>;
  renewCertificates(cluster: string, spec: CertificateRenewal): Promise<Accepted>;
  updateServiceGateways(cluster: string, spec: ServiceGateways): Promise<Accepted>;
  setControlPlaneLog(cluster: string, settings: ControlPlaneLog): Promise<Accepted>;
  /** Node UUIDs: sent colon-joined. */
  stopNodes(cluster: string, nodegroup: string, nodeUuids: string[]): Promise<Accepted>;
  startNodes(cluster: string, nodegroup: string, nodeUuids: string[]): Promise<Accepted>;
  setMetricAutoscale(cluster: string, nodegroup: string, spec: MetricAutoscale): Promise<Accepted>;
  changeFlavor(cluster: string, nodegroup: string, spec: FlavorChange): Promise<Accepted>;
  setFloatingIpAutoBind(cluster: string, nodegroup: string, settings: FipAutoBind): Promise<Accepted>;
  /** At most 20 Kubernetes labels. */
  setNodeLabels(cluster: string, nodegroup: string, labels: Record<string, string>): Promise<Accepted>;
  setUserScript(cluster: string, nodegroup: string, contents: string): Promise<Accepted>;
  listAddonTypes(): Promise<AddonType[]>;
  getAddonType(uuidOrName: string): Promise<AddonType>;
  /** The add-on catalogue. */
  listAddons(): Promise<Addon[]>;
  getAddon(uuid: string): Promise<Addon>;
  listClusterAddons(cluster: string): Promise<InstalledAddon[]>;
  getClusterAddon(cluster: string, addon: string): Promise<InstalledAddon>;
  installAddon(cluster: string, spec: AddonInstall): Promise<Accepted>;
  updateAddon(cluster: string, addon: string, spec: AddonUpdate): Promise<Accepted>;
  uninstallAddon(cluster: string, addon: string): Promise<Accepted>;
  /** Task types and their descriptions (`supported_event_type`), flat whether the API
   *  sends them so (the guide's example) or grouped by `cluster_events` /
   *  `nodegroup_events` (its table). */
  supportedEventTypes(): Promise<Record<string, string>>;
}

/** A maintenance window of a policy (upgrades one minor version at a time, control
 *  plane first; certificate renewal). */
export interface MaintenanceEntry {
  name?: string;
  /** A cluster name or UUID, or a list of them. */
  cluster: string | string[];
  timezone?: string;
  when: When;
  /** The version to reach (`"v1.31.4"`). */
  kube_version?: string;
  upgrade?: { num_buffer_nodes?: number; num_max_unavailable_nodes?: number };
  /** Renew when the certificates expire within `days_before_expiry`, for `term_of_validity` years (1..5). */
  renew_certificates?: { days_before_expiry: number; term_of_validity: number };
}

export type MaintenanceStepName =
  | "certificates" | "control_plane" | "nodegroup" | "in_progress" | "stopped" | "done" | "waiting";

/** Where a cluster's maintenance stands in a report. */
export interface MaintenanceState {
  cluster: string;
  maintenance: string;
  step: MaintenanceStepName;
  nodegroup?: string;
  detail?: string;
}

export interface Report {
  /** Per cluster with an open maintenance window: the step it is at. */
  maintenance: MaintenanceState[];
  /** Clusters the budget left for a later tick (the served clusters rotate). */
  waiting: string[];
}

export interface RunOptions {
  /** The cron's period in ms (default 300000): the served clusters rotate by it. */
  tickMs?: number;
}

/** One cluster's state, as `status(policy, at?)` answers it. */
export interface ClusterStatus {
  cluster: string;
  status?: string;
  control_plane_version?: string;
  nodegroups: { name: string; version?: string; status?: string }[];
  certificate_expiry?: string;
  next_window?: { maintenance: string; at: string; open: boolean };
  maintenance_step?: { step: MaintenanceStepName; nodegroup?: string; detail?: string };
  error?: Failure;
}

export interface StatusReport {
  at: string;
  clusters: ClusterStatus[];
  /** Subrequests sent (Identity's and retries included). */
  subrequests: number;
}



/** What a rule sets for a node group during a span of the week. */
export type CalendarSetting = { autoscale: AutoscaleGoal } | { nodeCount: number };

/** One stretch of the week in which one rule (or none) decides a node group. */
export interface CalendarSpan {
  /** RFC 3339 instants, in the policy's time zone. */
  from: string;
  to: string;
  /** Elapsed hours (a span across a daylight-saving change is 1 h shorter or longer). */
  hours: number;
  rule: string | null;
  set: CalendarSetting | null;
  /** The most nodes the rule allows (`max` or `node_count`). */
  maxNodes: number | null;
}

/** Node-hours a node group may use in the week, against always at its peak. */
export interface NodeHours {
  cluster: string;
  nodegroup: string;
  allowed: number;
  alwaysAtMax: number;
  peak: number | null;
  /** Hours no rule sized within a week before them (counted at the peak). */
  unknownHours: number;
}

/** `calendar(policy, week?)`: the policy's week in its time zone, per node group. */
export interface Calendar {
  /** The Monday (`YYYY-MM-DD`) the week starts on. */
  week: string;
  timezone: string;
  start: string;
  end: string;
  /** Real hours in the week (167 or 169 across a daylight-saving change). */
  hours: number;
  days: { date: string; hours: number }[];
  rows: { cluster: string; nodegroup: string; spans: CalendarSpan[] }[];
  nodeHours: NodeHours[];
  rules: { name: string; set: CalendarSetting }[];
  /** The week drawn as one self-contained SVG (light and dark). */
  svg: string;
}
