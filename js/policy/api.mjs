// The policy entry's classes, over the full wasm (js/pkg-policy/): the API client with
// `status`, `plan` and `reconcile`, and the functions that need no client.
import * as pkg from "../pkg-policy/nks_edge.js";
import { define, inner } from "../core.mjs";

const api = define(pkg);
export const register = api.register;

/** A client of the NKS API that also runs policies. */
export class NksClient extends api.NksClient {
  /** Only this entry's clients have the policy methods. */
  static [Symbol.hasInstance](value) {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** The plan a policy gives at `at` (default now); nothing is applied. */
  plan(policy, at, options) {
    return this[inner].plan(policy, at, options);
  }

  /** Applies the plan for `at` (default now); answers the report. */
  reconcile(policy, at, options) {
    return this[inner].reconcile(policy, at, options);
  }

  /** Per cluster of the policy at `at` (default now): versions, certificate expiry,
   *  the next maintenance window and the step its maintenance is at. */
  status(policy, at) {
    return this[inner].status(policy, at);
  }
}

export { validatePolicy, calendar } from "../pkg-policy/nks_edge.js";
export { NksError } from "../core.mjs";
