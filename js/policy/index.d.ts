// Types of `nks-edge/policy`: everything of `nks-edge`, a client that also runs policies,
// and the policy functions that need no client. The policy's types (`ScalePolicy`,
// `Report`, `Calendar`, …) are declared with the rest, in ../index.d.ts.
import type {
  NksClient as ApiClient,
  NksClientOptions,
  Calendar,
  Report,
  RunOptions,
  ScalePolicy,
  StatusReport,
} from "../index.js";

export * from "../index.js";

/** A client of the NKS API (every method of `nks-edge`'s) that also runs policies. Every
 *  method rejects with an `NksError`. */
export interface NksClient extends ApiClient {
  /** Per cluster of the policy at `at` (default now): versions, certificate expiry,
   *  the next maintenance window and the step its maintenance is at. Reads only. */
  status(policy: ScalePolicy | string, at?: Date | string | number): Promise<StatusReport>;
  /** The plan the policy gives at `at` (default now); nothing is applied. */
  plan(policy: ScalePolicy | string, at?: Date | string | number, options?: RunOptions): Promise<Report>;
  /** Applies the plan for `at` (default now); answers the report. */
  reconcile(policy: ScalePolicy | string, at?: Date | string | number, options?: RunOptions): Promise<Report>;
}
export declare class NksClient {
  constructor(options: NksClientOptions);
}

/** Checks a policy (JSON text or object) as `plan`, the CLI and the Worker do; throws
 *  an `NksError` of kind `validation` with every mistake in `issues` when it is not
 *  valid. Needs no client and sends nothing. */
export declare function validatePolicy(policy: ScalePolicy | string): void;

/** The week of `policy` containing `week` (a `YYYY-MM-DD` date, a `Date`, epoch ms or
 *  an RFC 3339 instant; default now), drawn by the dashboard and `nks-edge calendar`. */
export declare function calendar(policy: ScalePolicy | string, week?: string | Date | number): Calendar;
