// What every entry builds on: the error class every failure is an instance of (one class,
// whichever entry made the error), the client class over one wasm build, and the loading
// of the wasm in browsers.

/** A failure of nks-edge: a real `Error` with `kind`, `status`, `title`, `detail`,
 *  `requestId`, `field` and `issues`. */
export class NksError extends Error {
  constructor(message) {
    super(message);
    this.name = "NksError";
  }
}

/** The wasm's client object inside an `NksClient`. */
export const inner = Symbol("nks-edge client");

/** `NksClient` over one wasm build (`pkg`: wasm-bindgen's module), and `register()`, which,
 *  once that wasm is initialized, makes its errors `NksError`s and gives the class one
 *  method per entry of its table of operations. */
export function define(pkg) {
  /** A client of the NKS API. */
  class NksClient {
    constructor(options) {
      this[inner] = new pkg.Client(options);
    }

    /** A client of either entry is an `NksClient` of the main entry (the policy entry's
     *  has every method of it); `nks-edge/policy`'s class checks its own instances. */
    static [Symbol.hasInstance](value) {
      return typeof value === "object" && value !== null && inner in value;
    }
  }
  function register() {
    pkg.__setErrorClass(NksError);
    pkg.operationNames().forEach((name, index) => {
      Object.defineProperty(NksClient.prototype, name, {
        value: function (...args) {
          const client = this[inner];
          return client.call(index, args, client);
        },
        writable: true,
        configurable: true,
      });
    });
  }
  return { NksClient, register };
}

/** Browsers: fetches and compiles the wasm at `url` with wasm-bindgen's `init`; a failure
 *  says which file could not be loaded and what to do about a bundler that did not copy it. */
export async function load(init, url, entry) {
  try {
    await init({ module_or_path: url });
  } catch (cause) {
    throw new Error(
      `nks-edge could not load its WebAssembly from ${url} (${cause?.message ?? cause}). ` +
        "If a bundler built this page, it did not copy the file: with esbuild, import " +
        `\`${entry}/init\` and \`${entry}/nks_edge_bg.wasm\` (loader \`file\`); see the package's README.`,
      { cause },
    );
  }
}

/** The `init(wasm)` of the `init` entries: loads the wasm from `wasm` (a URL, a
 *  `Response`, bytes or a `WebAssembly.Module`) with wasm-bindgen's `initWasm`, then
 *  `register`s; later calls answer the first call's promise. */
export function initOnce(initWasm, register) {
  let ready;
  return (wasm) => (ready ??= initWasm({ module_or_path: wasm }).then(() => register()));
}
