// What every entry exports, once the wasm is initialized: the client class, the error
// class that every failure is an instance of, and the policy functions that need no
// client (`validatePolicy`, `calendar`).
import { Client, operationNames, __setErrorClass } from "./pkg/nks_edge.js";

export { validatePolicy, calendar } from "./pkg/nks_edge.js";

/** A failure of nks-edge: a real `Error` with `kind`, `status`, `title`, `detail`,
 *  `requestId`, `field` and `issues`. */
export class NksError extends Error {
  constructor(message) {
    super(message);
    this.name = "NksError";
  }
}

const inner = Symbol("nks-edge client");

/** A client of the NKS API. Its operation methods (`listClusters`, …) are defined by
 *  `register()` from the wasm's table of operations, one per entry. */
export class NksClient {
  constructor(options) {
    this[inner] = new Client(options);
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

/** Makes the wasm side create its errors as `NksError`s, and gives `NksClient` one
 *  method per operation of the wasm's table. */
export function register() {
  __setErrorClass(NksError);
  operationNames().forEach((name, index) => {
    Object.defineProperty(NksClient.prototype, name, {
      value: function (...args) {
        return this[inner].call(index, args);
      },
      writable: true,
      configurable: true,
    });
  });
}
