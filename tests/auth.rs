//! Identity tokens: issued once, cached, refreshed before expiry and on a 401,
//! shared by concurrent callers, and never shown.

mod common;

use common::*;
use nks_edge::error::Service;
use nks_edge::transport::Method;
use nks_edge::{Config, Credentials, ErrorKind, NksClient, Secret};
use serde_json::Value;

const LIST: &str = r#"{"clusters":[]}"#;
/// NOW_MS + 12 h
const EXPIRES: &str = "2026-11-26T12:00:00Z";

#[test]
fn the_identity_request_is_what_the_reference_documents() {
    let client = identity_client(scripted(vec![token_answer("tok-A", EXPIRES), ok(LIST)]));
    block_on(client.list_clusters()).unwrap();
    let sent = client.transport().requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method, Method::Post);
    assert_eq!(sent[0].url, format!("{IDENTITY}/v2.0/tokens"));
    let body: Value = serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"auth": {"tenantId": "tenant-1",
            "passwordCredentials": {"username": "user@example.com", "password": PASSWORD}}})
    );
    assert_eq!(sent[1].header("X-Auth-Token"), Some("tok-A"));
}

#[test]
fn the_token_is_cached_and_refreshed_before_it_expires() {
    let client = identity_client(scripted(vec![
        token_answer("tok-A", EXPIRES),
        ok(LIST),
        ok(LIST),
        token_answer("tok-B", "2026-11-27T00:00:00Z"),
        ok(LIST),
    ]));
    block_on(client.list_clusters()).unwrap();
    client.transport().advance(11 * 3_600_000); // 1 h before expiry: still used
    block_on(client.list_clusters()).unwrap();
    client.transport().advance(56 * 60_000); // 4 min before expiry: refreshed
    block_on(client.list_clusters()).unwrap();
    let tokens: Vec<_> = client
        .transport()
        .requests()
        .iter()
        .map(|r| r.header("X-Auth-Token").map(str::to_owned))
        .collect();
    assert_eq!(
        tokens,
        vec![
            None,
            Some("tok-A".into()),
            Some("tok-A".into()),
            None,
            Some("tok-B".into())
        ]
    );
}

/// A token shorter-lived than the refresh margin (`--token-ttl-s 60` in the emulator)
/// is reused for half its life, not asked for again on every call.
#[test]
fn a_short_lived_token_is_reused_for_half_its_life() {
    // NOW_MS + 4 min.
    let client = identity_client(scripted(vec![
        token_answer("tok-A", "2026-11-26T00:04:00Z"),
        ok(LIST),
        ok(LIST),
        token_answer("tok-B", "2026-11-26T00:10:00Z"),
        ok(LIST),
    ]));
    block_on(client.list_clusters()).unwrap();
    client.transport().advance(100_000); // 1:40 of 4 min: still used
    block_on(client.list_clusters()).unwrap();
    client.transport().advance(30_000); // 2:10: past half its life, renewed
    block_on(client.list_clusters()).unwrap();
    let identity_requests = client
        .transport()
        .requests()
        .iter()
        .filter(|r| r.url.ends_with("/v2.0/tokens"))
        .count();
    assert_eq!(identity_requests, 2);
}

#[test]
fn concurrent_callers_share_one_identity_request() {
    let client = identity_client(scripted(vec![
        token_answer("tok-A", EXPIRES),
        ok(LIST),
        ok(LIST),
        ok(LIST),
    ]));
    let (a, b, c) = block_on(futures::future::join3(
        client.list_clusters(),
        client.list_clusters(),
        client.list_clusters(),
    ));
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    let sent = client.transport().requests();
    let identity_requests = sent
        .iter()
        .filter(|r| r.url.ends_with("/v2.0/tokens"))
        .count();
    assert_eq!(identity_requests, 1);
    assert_eq!(sent.len(), 4);
}

#[test]
fn concurrent_callers_all_see_a_failed_identity_request() {
    let client = identity_client(scripted(vec![status(401, "")]));
    let (a, b) = block_on(futures::future::join(
        client.list_clusters(),
        client.get_cluster("c"),
    ));
    assert_eq!(a.unwrap_err().kind, ErrorKind::Unauthorized);
    assert_eq!(b.unwrap_err().kind, ErrorKind::Unauthorized);
    assert_eq!(client.transport().requests().len(), 1);
}

#[test]
fn a_401_refreshes_the_token_once_and_resends() {
    let client = identity_client(scripted(vec![
        token_answer("tok-A", EXPIRES),
        status(401, ""),
        token_answer("tok-B", EXPIRES),
        ok(r#"{"uuid":"u-1"}"#),
    ]));
    let uuid = block_on(client.upgrade("c", "default-master", "v1.19.13")).unwrap();
    assert_eq!(uuid.uuid, "u-1");
    let sent = client.transport().requests();
    assert_eq!(sent[1].header("X-Auth-Token"), Some("tok-A"));
    assert_eq!(sent[3].header("X-Auth-Token"), Some("tok-B"));
}

#[test]
fn a_second_401_is_surfaced() {
    let client = identity_client(scripted(vec![
        token_answer("tok-A", EXPIRES),
        status(401, ""),
        token_answer("tok-B", EXPIRES),
        status(401, ""),
    ]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(client.transport().requests().len(), 4);
}

#[test]
fn a_static_token_is_not_refreshed() {
    let client = token_client(scripted(vec![status(401, "")]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(client.transport().requests().len(), 1);
}

#[test]
fn wrong_credentials_say_so_without_showing_them() {
    let client = identity_client(scripted(vec![status(
        401,
        r#"{"error":{"message":"The request you have made requires authentication.","code":401}}"#,
    )]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(err.service, Some(Service::Identity));
    assert!(
        err.message
            .starts_with("Identity: unauthorized (HTTP 401): the credentials were refused"),
        "{}",
        err.message
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(PASSWORD));
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let config = Config::new(ENDPOINT, Credentials::Identity(identity()));
    let shown = format!("{config:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    let config = Config::new(ENDPOINT, Credentials::Token(Secret::new(TOKEN)));
    assert!(!format!("{config:?}").contains(TOKEN));

    let client = identity_client(scripted(vec![token_answer("tok-A", EXPIRES), ok(LIST)]));
    block_on(client.list_clusters()).unwrap();
    for request in client.transport().requests() {
        let shown = format!("{request:?}");
        assert!(
            !shown.contains("tok-A") && !shown.contains(PASSWORD),
            "{shown}"
        );
    }
    // Issue 13, item 9: an answer's Debug shows its length, not its body.
    let answer = token_answer("tok-A", EXPIRES).unwrap();
    let shown = format!("{answer:?}");
    assert!(!shown.contains("tok-A"), "{shown}");
    assert!(
        shown.contains(&format!("body: Body({} bytes)", answer.body.text().len())),
        "{shown}"
    );
}

#[test]
fn an_unreadable_expiry_is_an_invalid_response() {
    // An unreadable answer may have been cut short: asked again, as often as retries allow.
    let client = identity_client(scripted(vec![token_answer("tok-A", "tomorrow"); 3]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(client.transport().requests().len(), 3);
    assert_eq!(err.kind, ErrorKind::InvalidResponse);
    assert!(err.message.contains("access.token.expires"));
    assert!(!err.message.contains("tok-A"));
}

#[test]
fn incomplete_credentials_are_a_validation_error() {
    let mut creds = identity();
    creds.password = Secret::new("");
    let err = NksClient::new(
        Config::new(ENDPOINT, Credentials::Identity(creds)),
        scripted(vec![]),
    )
    .err()
    .unwrap();
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(err.field.as_deref(), Some("identity.password"));
    let err = NksClient::new(
        Config::new("ftp://x", Credentials::Token(TOKEN.into())),
        scripted(vec![]),
    )
    .err()
    .unwrap();
    assert_eq!(err.field.as_deref(), Some("endpoint"));

    // A base a path cannot follow (a query, a fragment, a space: every call would go
    // to the base) is refused, naming the field.
    for (endpoint, message) in [
        (
            "https://nks.test/?v=1",
            "without a query (?) or fragment (#)",
        ),
        (
            "https://nks.test#top",
            "without a query (?) or fragment (#)",
        ),
        ("https://nks.test ", "must not contain spaces"),
        ("https://nks.test/a\tb", "must not contain spaces"),
    ] {
        let err = NksClient::new(
            Config::new(endpoint, Credentials::Token(TOKEN.into())),
            scripted(vec![]),
        )
        .err()
        .unwrap();
        assert_eq!(err.field.as_deref(), Some("endpoint"), "{endpoint:?}");
        assert!(err.message.contains(message), "{endpoint:?}: {err}");
    }
    let mut creds = identity();
    creds.endpoint = "https://identity.test/?tenant=x".into();
    let err = NksClient::new(
        Config::new(ENDPOINT, Credentials::Identity(creds)),
        scripted(vec![]),
    )
    .err()
    .unwrap();
    assert_eq!(err.field.as_deref(), Some("identity.endpoint"));

    // Credentials in a URL would be printed wherever the URL is (a failed
    // connection's message): refused, without echoing them.
    let mut creds = identity();
    creds.endpoint = "http://svc:pw-Secret-0123@identity.test/".into();
    for config in [
        Config::new(ENDPOINT, Credentials::Identity(creds)),
        Config::new(
            "https://u:pw-Secret-0123@nks.test",
            Credentials::Token(TOKEN.into()),
        ),
    ] {
        let err = NksClient::new(config, scripted(vec![])).err().unwrap();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert!(err.message.contains("must not carry credentials"), "{err}");
        assert!(!format!("{err} {err:?}").contains("pw-Secret"), "{err:?}");
    }
}

#[test]
fn a_token_that_is_no_header_value_is_refused() {
    // A line break would split the headers the wasm's transport hands to JavaScript.
    for (credentials, field) in [
        (Credentials::Token("tok\nX-Other: 1".into()), "token"),
        (Credentials::AccessKey("key\r".into()), "accessKey"),
    ] {
        let err = NksClient::new(Config::new(ENDPOINT, credentials), scripted(vec![]))
            .err()
            .unwrap();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.field.as_deref(), Some(field));
        assert!(err.message.contains("control characters"), "{err}");
        assert!(!err.message.contains("tok\n") && !err.message.contains("key\r"));
    }
    // One Identity issues is an invalid answer, asked again as retries allow.
    let client = identity_client(scripted(vec![token_answer("tok\nA", EXPIRES); 3]));
    let err = block_on(client.list_clusters()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse);
    assert!(err.message.contains("access.token.id"), "{err}");
    assert!(!err.message.contains("tok\nA"));
    assert_eq!(client.transport().requests().len(), 3);
}
