// Types of the npm package `nks-edge`. Objects keep the API's field names (snake_case);
// values are normalized: documented boolean labels are booleans, documented counts,
// sizes, times and thresholds are numbers, and everything else stays as sent.

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
  /** Extra tries of GET and DELETE on 429, 502, 503, 504, timeouts and network errors (default 2). */
  retries?: number;
  /** Upper bound of node counts, if a quota raised it (default 10). */
  maxNodeCount?: number;
}

type Where = { region: Region; endpoint?: string } | { endpoint: string; region?: Region };
type Auth = { token: string; identity?: never } | { identity: IdentityCredentials; token?: never };

/** Options of `new NksClient(…)`: a region or endpoint (endpoint wins), a token or credentials. */
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
  /** The API's title, from its `errors` body. */
  readonly title: string | null;
  /** The API's detail, from its `errors` body. */
  readonly detail: string | null;
  /** From the `x-openstack-request-id` header. */
  readonly requestId: string | null;
  /** The input field at fault (`validation` only), e.g. `labels.cert_manager_api`. */
  readonly field: string | null;
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
  /** Labels the reference does not document, as they came. */
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
  [other: string]: unknown;
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
  [other: string]: unknown;
}

/** `{ uuid }`: the cluster's or node group's. */
export interface Accepted {
  uuid: string;
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
  cluster: string;
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

/** The scaling policy (`SCALE_POLICY`). */
export interface ScalePolicy {
  timezone: string;
  /** Upper bound of counts (default 10). */
  max_node_count?: number;
  rules: ScaleRule[];
}

export type Outcome = "planned" | "applied" | "failed" | "deferred";

export interface Failure {
  kind: ErrorKind | "plan" | "deferred";
  status: number;
  message: string;
}

export interface PlanAction {
  cluster: string;
  nodegroup: string;
  rule: string;
  action: "set_autoscale" | "resize" | "upgrade" | "renew_certificates";
  /** The transition or maintenance step (`autoscaler_off`, `resize`, `autoscaler_on`,
   *  `control_plane`, `nodegroup`, `certificates`). */
  step?: string;
  from: Record<string, number | boolean | null>;
  to: Record<string, number | boolean>;
  result: Outcome;
  error?: Failure;
}

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
  upgrade(cluster: string, nodegroup: string, version: string): Promise<Accepted>;
  supportedVersions(): Promise<Record<string, boolean>>;
  /** The plan the policy gives at `at` (default now); nothing is applied. */
  plan(policy: ScalePolicy | string, at?: Date | string | number, options?: RunOptions): Promise<Report>;
  /** Applies the plan for `at` (default now); answers the report. */
  reconcile(policy: ScalePolicy | string, at?: Date | string | number, options?: RunOptions): Promise<Report>;
  /** Frees the wasm memory of this client. */
  free(): void;
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

export interface ScalePolicy {
  maintenance?: MaintenanceEntry[];
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

/** `status(policy, at?)`: one cluster's state. */
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
}

export interface NksClient {
  /** Per cluster of the policy at `at` (default now): versions, certificate expiry,
   *  the next maintenance window and the step its maintenance is at. Reads only. */
  status(policy: ScalePolicy | string, at?: Date | string | number): Promise<StatusReport>;
}
