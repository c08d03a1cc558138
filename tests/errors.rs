//! Mapping of failed answers to `Error`: each body shape, the request id, nothing lost.

mod common;

use common::{
    block_on, identity_client, ok, scripted, status, token_answer, token_client, ENDPOINT,
    PASSWORD, TOKEN,
};
use nks_edge::error::Service;
use nks_edge::model::CertificateRenewal;
use nks_edge::transport::{HttpResponse, TransportError};
use nks_edge::{Error, ErrorKind};

fn fail(answer: Result<HttpResponse, TransportError>) -> Error {
    let client = token_client(scripted(vec![answer]));
    // A POST: never retried, so one scripted answer is enough.
    block_on(client.upgrade("c", "default-worker", "v1.19.13")).unwrap_err()
}

const NOT_FOUND: &str = r#"{"errors":[{"request_id":"","code":"client","status":404,"title":"Cluster c could not be found","detail":"Cluster c could not be found.","links":[]}]}"#;

#[test]
fn magnum_errors_body() {
    let err = fail(Ok(
        HttpResponse::json(404, NOT_FOUND).with_header("X-OpenStack-Request-Id", "req-5b1c")
    ));
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.status, 404);
    assert_eq!(err.title.as_deref(), Some("Cluster c could not be found"));
    assert_eq!(err.detail.as_deref(), Some("Cluster c could not be found."));
    assert_eq!(err.request_id.as_deref(), Some("req-5b1c"));
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].code.as_deref(), Some("client"));
    assert_eq!(err.body, NOT_FOUND);
    assert_eq!(
        err.to_string(),
        "not_found (HTTP 404): Cluster c could not be found. [request req-5b1c]"
    );
}

#[test]
fn microversion_406_keeps_the_supported_range() {
    let body = r#"{"errors":[{"request_id":"","links":[{"href":"https://docs.openstack.org/","rel":"help"}],"status":406,"code":"","title":"Requested microversion is unsupported","detail":"Version 9.9 was requested but the minimum supported version is 1.1 and the maximum supported version is 1.10.","max_version":"1.10","min_version":"1.1"}]}"#;
    let err = fail(Ok(HttpResponse::json(406, body)));
    assert_eq!(err.status, 406);
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert_eq!(err.errors[0].max_version.as_deref(), Some("1.10"));
    assert_eq!(err.errors[0].min_version.as_deref(), Some("1.1"));
    assert!(
        err.message.contains("supported microversions 1.1..1.10"),
        "{}",
        err.message
    );
}

#[test]
fn empty_and_non_json_bodies() {
    let err = fail(Ok(HttpResponse::json(502, "")));
    assert_eq!(err.kind, ErrorKind::Server);
    assert_eq!(err.title, None);
    assert!(err.message.contains("no details"), "{}", err.message);

    let html = "<html><body>Bad Gateway</body></html>";
    let err = fail(Ok(HttpResponse::json(500, html)));
    assert_eq!(err.kind, ErrorKind::Server);
    assert_eq!(err.body, html, "the raw body is kept");

    let err = fail(Ok(HttpResponse::json(
        400,
        r#"{"faultstring":"Invalid input for field/attribute version.","faultcode":"Client"}"#,
    )));
    assert_eq!(err.kind, ErrorKind::BadRequest);
    assert_eq!(
        err.detail.as_deref(),
        Some("Invalid input for field/attribute version.")
    );

    // Identity's (Keystone) shape.
    let err = fail(Ok(HttpResponse::json(
        403,
        r#"{"error":{"message":"You are not authorized to perform the requested action.","code":403,"title":"Forbidden"}}"#,
    )));
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(err.title.as_deref(), Some("Forbidden"));
    assert_eq!(
        err.to_string(),
        "forbidden (HTTP 403): Forbidden: You are not authorized to perform the requested action."
    );
}

#[test]
fn statuses_map_to_kinds() {
    let state = r#"{"errors":[{"status":400,"title":"Bad Request","detail":"Updating a cluster when status is \"UPDATE_IN_PROGRESS\" is not supported"}]}"#;
    let autoscaler = r#"{"errors":[{"status":400,"title":"Bad Request","detail":"Resize is not allowed while the autoscaler is enabled"}]}"#;
    for (status, body, kind) in [
        (
            400,
            r#"{"errors":[{"status":400,"title":"Bad Request","detail":"node_count must be 1..10"}]}"#,
            ErrorKind::BadRequest,
        ),
        (400, state, ErrorKind::Conflict),
        (400, autoscaler, ErrorKind::Conflict),
        (401, "", ErrorKind::Unauthorized),
        (403, "", ErrorKind::Forbidden),
        (409, "", ErrorKind::Conflict),
        (429, "", ErrorKind::RateLimited),
        (503, "", ErrorKind::Server),
    ] {
        let err = fail(Ok(HttpResponse::json(status, body)));
        assert_eq!(err.kind, kind, "{status} {body}");
        assert_eq!(err.kind.as_str(), kind.as_str());
    }
}

#[test]
fn debug_output_never_shows_the_body() {
    let kubeconfig = "apiVersion: v1\nusers:\n- user:\n    client-key-data: LS0tc2VjcmV0";
    let body = serde_json::json!({"config": 42, "yaml": kubeconfig}).to_string();
    // A read: its unreadable answer is retried, each time the same.
    let client = token_client(scripted(
        std::iter::repeat_with(|| Ok(HttpResponse::json(200, body.clone())))
            .take(3)
            .collect(),
    ));
    let err = block_on(client.kubeconfig("prod")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse);
    assert_eq!(err.body, body);
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains("client-key-data"), "{shown}");
    assert!(shown.contains(&format!("body_bytes: {}", body.len())));
}

#[test]
fn transport_failures_and_bad_success_bodies() {
    let err = fail(Err(TransportError::Timeout));
    assert_eq!((err.kind, err.status), (ErrorKind::Timeout, 0));
    let err = fail(Err(TransportError::Network("connection reset".into())));
    assert_eq!(err.kind, ErrorKind::Network);
    assert!(err.message.contains("connection reset"));

    let bad = || {
        Ok(HttpResponse::json(
            200,
            r#"{"clusters":[{"uuid":"u","name":"n","node_count":"many"}]}"#,
        )
        .with_header("x-openstack-request-id", "req-9"))
    };
    let client = token_client(scripted(vec![bad(), bad(), bad()]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(client.transport().requests().len(), 3, "a read is retried");
    assert_eq!(err.kind, ErrorKind::InvalidResponse);
    assert_eq!(err.service, Some(Service::Nks));
    assert_eq!(err.request_id.as_deref(), Some("req-9"));
    assert!(err.body.contains("\"many\""), "the answer is kept");
    assert!(
        err.message.contains("clusters[0].node_count"),
        "{}",
        err.message
    );
}

/// An unreadable 2xx answer is a transient failure: a read is sent again and takes the
/// next answer; a write that started something is not resent, and its error names the
/// service.
#[test]
fn an_unreadable_answer_is_retried_for_reads_only() {
    let client = token_client(scripted(vec![
        ok(r#"{"clusters": [{"uuid": "u""#),
        ok(r#"{"clusters": [{"uuid": "u", "name": "prod"}]}"#),
    ]));
    let clusters = block_on(client.list_clusters()).unwrap();
    assert_eq!(clusters[0].name, "prod");
    assert_eq!(client.transport().requests().len(), 2);

    let client = token_client(scripted(vec![ok("<html>proxy</html>")]));
    let spec = CertificateRenewal {
        term_of_validity: 1,
    };
    let err = block_on(client.renew_certificates("prod", &spec)).unwrap_err();
    assert_eq!(client.transport().requests().len(), 1);
    assert_eq!(
        (err.kind, err.service, err.status),
        (ErrorKind::InvalidResponse, Some(Service::Nks), 200)
    );
}

/// Issue 14: a failure without an answer says the method, the URL, the service and
/// the runtime's cause.
#[test]
fn network_failures_name_method_url_service_and_cause() {
    let client = token_client(scripted(vec![
        Err(TransportError::Network(
            "fetch failed: connect ECONNREFUSED 127.0.0.1:9".into()
        ));
        3
    ]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network);
    assert_eq!(err.service, Some(Service::Nks));
    assert_eq!(
        err.cause.as_deref(),
        Some("fetch failed: connect ECONNREFUSED 127.0.0.1:9")
    );
    assert_eq!(
        err.message,
        format!("network error (NKS): GET {ENDPOINT}/v1/clusters: fetch failed: connect ECONNREFUSED 127.0.0.1:9")
    );
}

/// Issue 13 item 5: Identity is retried like a GET, and its errors say Identity.
#[test]
fn identity_is_retried_and_named() {
    let client = identity_client(scripted(vec![
        status(503, ""),
        token_answer("tok-1", "2026-11-27T00:00:00Z"),
        ok(r#"{"clusters": []}"#),
    ]));
    assert_eq!(block_on(client.list_clusters()).unwrap(), vec![]);
    assert_eq!(
        client.transport().sleeps().len(),
        1,
        "one retry of Identity"
    );

    let down = identity_client(scripted(vec![
        Err(TransportError::Network(
            "getaddrinfo ENOTFOUND identity.test".into()
        ));
        3
    ]));
    let err = block_on(down.list_clusters()).unwrap_err();
    assert_eq!(err.service, Some(Service::Identity));
    assert_eq!(down.transport().requests().len(), 3, "1 + 2 retries");
    assert!(
        err.message
            .starts_with("network error (Identity): POST https://identity.test/v2.0/tokens: getaddrinfo ENOTFOUND"),
        "{}",
        err.message
    );
}

/// Issue 14: a title that the detail repeats is said once.
#[test]
fn a_repeated_title_is_said_once() {
    let body = r#"{"errors":[{"status":404,"title":"Nodegroup ghost could not be found.","detail":"Nodegroup ghost could not be found in cluster prod."}]}"#;
    let err = fail(Ok(HttpResponse::json(404, body)));
    assert_eq!(
        err.message,
        "not_found (HTTP 404): Nodegroup ghost could not be found in cluster prod."
    );
}

/// Issue 13 item 2: an upstream answer that echoes the token or the password never
/// carries it into the error's text or its kept body.
#[test]
fn echoed_secrets_are_redacted() {
    let echo = format!(
        r#"{{"errors":[{{"status":400,"title":"bad token {TOKEN}","detail":"token {TOKEN} refused"}}]}}"#
    );
    let err = fail(Ok(HttpResponse::json(400, echo)));
    let shown = format!("{err} {err:?} {} {:?}", err.body, err.errors);
    assert!(!shown.contains(TOKEN), "{shown}");
    assert_eq!(err.detail.as_deref(), Some("token *** refused"));

    let client = identity_client(scripted(vec![status(
        400,
        &format!(r#"{{"error":{{"message":"bad request {{\"password\": \"{PASSWORD}\"}}"}}}}"#),
    )]));
    let err = block_on(client.list_clusters()).unwrap_err();
    let shown = format!("{err} {err:?} {}", err.body);
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert_eq!(err.service, Some(Service::Identity));
    // Identity's message is read (Keystone's shape), with the password replaced.
    assert_eq!(
        err.detail.as_deref(),
        Some(r#"bad request {"password": "***"}"#)
    );
    assert!(
        err.message.contains(r#"bad request {"password": "***"}"#),
        "{err}"
    );
}

/// An upstream that echoes the token in its request id (header or body), in the
/// entries' other fields, or hidden behind JSON escapes (`\u0074` is `t`, as Python's
/// json.dumps writes non-ASCII) never carries it into the error.
#[test]
fn echoes_in_request_ids_and_escapes_are_redacted() {
    let hidden: String = TOKEN
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let body = format!(
        r#"{{"errors":[{{"status":400,"code":"c-{TOKEN}","request_id":"req-{TOKEN}","title":"bad","detail":"token {hidden} refused"}}]}}"#
    );
    let err = fail(Ok(HttpResponse::json(400, body)));
    let shown = format!(
        "{err} {err:?} {} {:?} {:?}",
        err.body, err.errors, err.request_id
    );
    assert!(
        !shown.contains(TOKEN) && !shown.contains(&hidden),
        "{shown}"
    );
    assert_eq!(err.request_id.as_deref(), Some("req-***"));
    assert_eq!(err.detail.as_deref(), Some("token *** refused"));
    // The kept body is still the JSON it was, with the secret's string redacted.
    let body: serde_json::Value = serde_json::from_str(&err.body).unwrap();
    assert_eq!(body["errors"][0]["detail"], "token *** refused");

    let err = fail(Ok(HttpResponse::json(404, NOT_FOUND)
        .with_header("x-openstack-request-id", &format!("req-{TOKEN}"))));
    assert_eq!(err.request_id.as_deref(), Some("req-***"));
    assert!(!err.to_string().contains(TOKEN), "{err}");
}
