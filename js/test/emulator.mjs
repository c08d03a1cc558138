// Helpers for tests that talk to the emulator started by scripts/with-emulator.sh.
export const EMULATOR = process.env.NKS_EMULATOR_URL;
if (!EMULATOR) {
  throw new Error("NKS_EMULATOR_URL is not set: run these tests through `make test`");
}

export const IDENTITY = { tenantId: "demo-tenant", username: "demo@example.com", password: "demo-password" };

/** The environment variables that point the Worker and the CLI at the emulator, signed
 *  in with `IDENTITY`. */
export const SIGNED_IN = {
  NKS_ENDPOINT: EMULATOR,
  NHN_IDENTITY_URL: EMULATOR,
  NHN_TENANT_ID: IDENTITY.tenantId,
  NHN_USERNAME: IDENTITY.username,
  NHN_API_PASSWORD: IDENTITY.password,
};

async function call(method, path, body) {
  const response = await fetch(`${EMULATOR}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

export const reset = () => call("POST", "/_emulator/reset");
export const seed = (state) => call("POST", "/_emulator/seed", state);
export const faults = (rules) => call("POST", "/_emulator/faults", rules);
export const clearFaults = () => call("DELETE", "/_emulator/faults");
export const requests = async () => (await call("GET", "/_emulator/requests")).requests;
export const clearRequests = () => call("DELETE", "/_emulator/requests");

/** The requests the API saw, as "METHOD /path", leaving out Identity's. */
export async function apiCalls() {
  return (await requests()).filter((r) => r.path.startsWith("/v1/")).map((r) => `${r.method} ${r.path}`);
}
