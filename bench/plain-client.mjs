// The baseline for per-call overhead: what a hand-written JavaScript client does
// (fetch + JSON.parse with a ready token), with none of nks-edge's typing or checks.
export class PlainClient {
  constructor(endpoint, token) {
    this.endpoint = endpoint;
    this.headers = {
      accept: "application/json",
      "content-type": "application/json",
      "openstack-api-version": "container-infra latest",
      "x-auth-token": token,
    };
  }

  async get(path) {
    const response = await fetch(`${this.endpoint}${path}`, { headers: this.headers });
    const body = JSON.parse(await response.text());
    if (!response.ok) throw new Error(`${response.status} ${path}`);
    return body;
  }

  async listClusters() {
    return (await this.get("/v1/clusters")).clusters;
  }

  async getKubeconfig(cluster) {
    return (await this.get(`/v1/clusters/${encodeURIComponent(cluster)}/config`)).config;
  }
}
