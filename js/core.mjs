// What every entry exports, once the wasm is initialized: the client class and the
// error class that every failure is an instance of.
import { NksClient, __setErrorClass } from "./pkg/nks_edge.js";

/** A failure of nks-edge: a real `Error` with `kind`, `status`, `title`, `detail`,
 *  `requestId` and `field`. */
export class NksError extends Error {
  constructor(message) {
    super(message);
    this.name = "NksError";
  }
}

/** Makes the wasm side create its errors as `NksError`s. */
export function register() {
  __setErrorClass(NksError);
}

export { NksClient };
