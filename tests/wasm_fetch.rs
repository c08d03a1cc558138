//! The client compiled to wasm32, under Node, with the real `fetch` against the
//! emulator (`make test` starts it and passes its URL as `NKS_EMULATOR_URL`).
#![cfg(target_arch = "wasm32")]

use gloo_net::http::Request;
use nks_edge::transport::Fetch;
use nks_edge::{Config, Credentials, ErrorKind, Identity, NksClient, Secret};
use wasm_bindgen_test::wasm_bindgen_test;

/// Set by `make test`; a run without it fails loudly rather than passing vacuously.
#[allow(clippy::option_env_unwrap)]
fn emulator() -> &'static str {
    option_env!("NKS_EMULATOR_URL").expect("run through `make test`: NKS_EMULATOR_URL is not set")
}

fn config() -> Config {
    let url = emulator();
    Config::new(
        url,
        Credentials::Identity(Identity {
            endpoint: url.into(),
            tenant_id: "demo-tenant".into(),
            username: "demo@example.com".into(),
            password: Secret::new("demo-password"),
        }),
    )
}

async fn set_faults(faults: &str) {
    let answer = Request::post(&format!("{}/_emulator/faults", emulator()))
        .body(faults)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[wasm_bindgen_test]
async fn lists_and_reads_clusters_over_fetch() {
    let client = NksClient::new(config(), Fetch).unwrap();
    let clusters = client.list_clusters().await.unwrap();
    let prod = clusters
        .iter()
        .find(|c| c.name == "prod")
        .expect("the default seed has prod");
    assert_eq!(prod.uuid, "2b778d83-8b67-45b1-920e-b0c5ad5c2f30");
    assert_eq!(prod.labels.as_ref().unwrap().cert_manager_api, Some(true));

    let batch = client.get_autoscale("prod", "batch").await.unwrap();
    assert!(batch.ca_enable);
    assert_eq!(batch.ca_max_node_count, Some(3));

    let yaml = client.kubeconfig("prod").await.unwrap();
    assert!(yaml.expose().contains("kind: Config"));
}

#[wasm_bindgen_test]
async fn api_errors_keep_title_and_request_id() {
    let client = NksClient::new(config(), Fetch).unwrap();
    let err = client.get_cluster("no such?cluster").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.status, 404);
    assert_eq!(
        err.title.as_deref(),
        Some("Cluster no such?cluster could not be found.")
    );
    assert!(err.request_id.as_deref().unwrap().starts_with("req-"));
}

/// Answers are copied into the wasm as UTF-8 bytes (`transport::Body`): text beyond
/// ASCII arrives intact (here in the emulator's error title, which names the cluster).
#[wasm_bindgen_test]
async fn answers_beyond_ascii_read_back_intact() {
    let client = NksClient::new(config(), Fetch).unwrap();
    let err = client.get_cluster("테스트-🚀").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(
        err.title.as_deref(),
        Some("Cluster 테스트-🚀 could not be found.")
    );
}

#[wasm_bindgen_test]
async fn a_get_is_retried_after_an_injected_503() {
    set_faults(r#"{"route": "GET /v1/supports", "error": 503, "times": 1}"#).await;
    let mut config = config();
    config.retry_base_ms = 10;
    let client = NksClient::new(config, Fetch).unwrap();
    let versions = client.supported_versions().await.unwrap();
    assert_eq!(versions.get("v1.32.3"), Some(&true));
    assert_eq!(versions.get("v1.21.6"), Some(&false));
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out_through_abort_controller() {
    set_faults(r#"{"route": "GET /v1/clusters/k8s-test/config", "latency_ms": 400}"#).await;
    let mut config = config();
    config.timeout_ms = 100;
    config.retries = 0;
    let client = NksClient::new(config, Fetch).unwrap();
    client.list_clusters().await.unwrap(); // the token request is not slowed
    let err = client.kubeconfig("k8s-test").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_network_error() {
    let mut config = Config::new("http://127.0.0.1:9", Credentials::Token("t".into()));
    config.retries = 0;
    let client = NksClient::new(config, Fetch).unwrap();
    let err = client.list_clusters().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network);
    assert_eq!(err.status, 0);
}
