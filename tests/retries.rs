//! Retries: only idempotent calls, only transient failures, bounded, with backoff
//! and `Retry-After` honoured.

mod common;

use common::{block_on, ok, scripted, status, token_client, ENDPOINT, TOKEN};
use nks_edge::transport::{HttpResponse, Method, TransportError};
use nks_edge::{Config, Credentials, ErrorKind, NksClient};

#[test]
fn a_get_is_retried_on_503_then_succeeds() {
    let client = token_client(scripted(vec![
        status(503, ""),
        status(503, ""),
        ok(r#"{"clusters":[]}"#),
    ]));
    assert!(block_on(client.list_clusters()).unwrap().is_empty());
    assert_eq!(client.transport().requests().len(), 3);
    let sleeps = client.transport().sleeps();
    assert_eq!(sleeps.len(), 2);
    // exponential backoff with jitter: [base/2, base], then [base, 2*base]
    assert!((125..=250).contains(&sleeps[0]), "{sleeps:?}");
    assert!((250..=500).contains(&sleeps[1]), "{sleeps:?}");
}

#[test]
fn a_delete_is_retried_on_network_errors_and_timeouts() {
    let client = token_client(scripted(vec![
        Err(TransportError::Network("reset".into())),
        Err(TransportError::Timeout),
        status(204, ""),
    ]));
    block_on(client.delete_cluster("c")).unwrap();
    let sent = client.transport().requests();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|r| r.method == Method::Delete));
}

#[test]
fn a_post_is_never_retried() {
    for answer in [
        status(503, ""),
        status(429, ""),
        Err(TransportError::Timeout),
        Err(TransportError::Network("reset".into())),
    ] {
        let client = token_client(scripted(vec![answer]));
        let err = block_on(client.upgrade("c", "default-worker", "v1.19.13")).unwrap_err();
        assert!(matches!(
            err.kind,
            ErrorKind::Server | ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Network
        ));
        assert_eq!(client.transport().requests().len(), 1);
        assert!(client.transport().sleeps().is_empty());
    }
}

#[test]
fn retry_after_is_honoured() {
    let client = token_client(scripted(vec![
        Ok(HttpResponse::json(429, "").with_header("Retry-After", "3")),
        ok(r#"{"clusters":[]}"#),
    ]));
    block_on(client.list_clusters()).unwrap();
    assert_eq!(client.transport().sleeps(), vec![3000]);
}

#[test]
fn a_retry_after_beyond_the_longest_delay_is_surfaced() {
    let client = token_client(scripted(vec![Ok(
        HttpResponse::json(429, "").with_header("Retry-After", "3600")
    )]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert_eq!(err.retry_after_ms, Some(3_600_000));
    assert_eq!(client.transport().requests().len(), 1);
}

#[test]
fn retries_are_bounded_by_the_configured_count() {
    let mut config = Config::new(ENDPOINT, Credentials::Token(TOKEN.into()));
    config.retries = 4;
    let client =
        NksClient::new(config, scripted((0..5).map(|_| status(502, "")).collect())).unwrap();
    let err = block_on(client.get_cluster("c")).unwrap_err();
    assert_eq!(err.status, 502);
    assert_eq!(client.transport().requests().len(), 5);
    assert_eq!(client.transport().sleeps().len(), 4);
    assert!(client.transport().sleeps().iter().all(|&ms| ms <= 20_000));
}

#[test]
fn non_transient_failures_are_not_retried() {
    for code in [400, 401, 403, 404, 500] {
        let client = token_client(scripted(vec![status(code, "")]));
        let err = block_on(client.get_cluster("c")).unwrap_err();
        assert_eq!(err.status, code);
        assert_eq!(client.transport().requests().len(), 1, "{code}");
    }
}
