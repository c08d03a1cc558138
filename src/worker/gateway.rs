//! `/nks/v1/…`: every operation of [`crate::api::OPERATIONS`] passed through to NKS
//! with the Worker's own token, for callers whose access key has the operation's scope
//! (`read`, `scale`, `operate`, `kubeconfig`) and may touch its cluster. The API's
//! status, body and request id come back unchanged; the upstream token and Identity's
//! answers never do. Lists of clusters are filtered to the key's clusters.

use super::access::{AccessKey, Scope};
use super::config::Setup;
use super::routes::{clip, key_for, Answer, Facts, Incoming};
use crate::api::{Operation, CREATE_CLUSTER, LIST_CLUSTERS, OPERATIONS};
use crate::client::Request;
use crate::error::{ErrorKind, Service};
use crate::transport::{Method, Transport};
use serde_json::Value;

/// The prefix of the gateway's paths.
const PREFIX: &str = "/nks";

fn method(name: &str) -> Option<Method> {
    [Method::Get, Method::Post, Method::Patch, Method::Delete]
        .into_iter()
        .find(|m| m.as_str() == name)
}

/// An operation and its placeholders' values (`[("cluster", "prod")]`).
type Found = (&'static Operation, Vec<(&'static str, String)>);

/// The operation a request names, and its placeholders' values. `PATCH` paths shared
/// by several operations are told apart by the body's `type`.
fn find(request: &Incoming) -> Result<Found, Answer> {
    // Not echoing the caller's path (see `routes::route`).
    let not_found = || {
        Answer::error(
            404,
            "not_found",
            "no NKS operation has this method and path",
        )
    };
    let path = request.path.strip_prefix(PREFIX).ok_or_else(not_found)?;
    let method = method(&request.method).ok_or_else(not_found)?;
    let candidates: Vec<Found> = OPERATIONS
        .iter()
        .filter(|op| op.method == method)
        .filter_map(|op| op.match_path(path).map(|values| (*op, values)))
        .collect();
    let typed = candidates.iter().any(|(op, _)| op.patch_type.is_some());
    if !typed {
        // `/v1/supports` is read two ways by one request: either serves.
        return candidates.into_iter().next().ok_or_else(not_found);
    }
    let kinds: Vec<&str> = candidates
        .iter()
        .filter_map(|(op, _)| op.patch_type)
        .collect();
    let given = request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned));
    candidates
        .into_iter()
        .find(|(op, _)| op.patch_type.is_some() && op.patch_type == given.as_deref())
        .ok_or_else(|| {
            Answer::invalid("body.type", &format!("must be one of {}", kinds.join(", ")))
        })
}

/// The body sent upstream: a typed `PATCH`'s or a cluster creation's JSON as parsed
/// (so the `type` that chose the scope, or the `name` the key was checked against, is
/// the only one upstream sees); any other body as sent.
fn upstream_body(op: &Operation, body: Option<&str>) -> Result<Option<String>, Answer> {
    match (op.method, body) {
        (Method::Get | Method::Delete, _) | (_, None) => Ok(None),
        (_, Some(text)) if op.patch_type.is_some() || op.name == CREATE_CLUSTER.name => {
            serde_json::from_str::<Value>(text)
                .map(|v| Some(v.to_string()))
                .map_err(|_| Answer::invalid("body", "is not JSON"))
        }
        (_, Some(text)) => Ok(Some(text.to_owned())),
    }
}

/// Passes one request through. The gateway's own refusals (401, 403, 404, 400, and
/// the 413 and 504 of `serve`) also carry the API's `{"errors": [...]}` shape, so
/// that the package's client reads them as it reads the API's.
pub(super) async fn forward<T: Transport, Z>(
    setup: &Setup<T, Z>,
    request: &Incoming,
    facts: &mut Facts,
) -> Result<Answer, Answer> {
    pass(setup, request, facts).await.map_err(as_api_error)
}

/// `{"error": {kind, message}}` with the API's `errors` list beside it.
pub(super) fn as_api_error(mut answer: Answer) -> Answer {
    let Ok(Value::Object(mut body)) = serde_json::from_str::<Value>(&answer.body) else {
        return answer;
    };
    let message = body
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(message) = message {
        let code = if answer.status >= 500 {
            "server"
        } else {
            "client"
        };
        body.insert(
            "errors".into(),
            serde_json::json!([{"status": answer.status, "code": code, "title": message}]),
        );
        answer.body = Value::Object(body).to_string();
    }
    answer
}

async fn pass<T: Transport, Z>(
    setup: &Setup<T, Z>,
    request: &Incoming,
    facts: &mut Facts,
) -> Result<Answer, Answer> {
    let (op, values) = find(request)?;
    facts.operation = Some(op.name);
    let cluster = values
        .iter()
        .find(|(field, _)| *field == "cluster")
        .map(|(_, v)| v.clone());
    facts.cluster = cluster.as_deref().map(clip);
    let key = key_for(setup, request, Scope::of(op.access), &mut facts.key)?;
    if !request.query.is_empty() {
        return Err(Answer::invalid(
            "query",
            "the gateway takes no query parameters",
        ));
    }
    // The key's clusters first: a cluster outside them is a 403 however it is written.
    if let Some(cluster) = &cluster {
        check_cluster(setup, key, cluster).await?;
    }
    let args: Vec<&str> = values.iter().map(|(_, v)| v.as_str()).collect();
    let path = op.fill(&args).map_err(|e| Answer::upstream(&e))?;
    if op.name == CREATE_CLUSTER.name && !key.all_clusters() {
        let name = request
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        facts.cluster = Some(clip(&name));
        if !key.allows_cluster(&name) {
            return Err(forbidden(key, &name));
        }
    }
    let body = upstream_body(op, request.body.as_deref())?;
    let client = setup.client.as_ref().map_err(Answer::config)?;
    let request = Request {
        method: op.method,
        path: &path,
        body: body.as_deref(),
        idempotent: op.idempotent,
    };
    // Passed through as it came: the caller reads it.
    let sent = client.send(&request, &mut |_| Ok(())).await;
    let (status, body, headers) = match sent {
        Ok(response) => {
            let body = if op.name == LIST_CLUSTERS.name && !key.all_clusters() {
                filter_clusters(key, response.body.text())?
            } else {
                response.body.text().to_owned()
            };
            let headers = pass_headers(|name| response.header(name));
            (response.status, body, headers)
        }
        // Identity's failures (which `upstream` answers as such) come before the
        // refused token below, which is the Worker's own.
        Err(e) if e.service == Some(Service::Identity) || e.status == 0 => {
            return Err(Answer::upstream(&e))
        }
        // The Worker's own token was refused (after one refresh, with Identity): the
        // Worker's failure, a 502 as Identity's are, never the caller's 401.
        Err(mut e) if e.kind == ErrorKind::Unauthorized => {
            e.message = format!(
                "NKS refused the Worker's own token (check NKS_TOKEN or the Identity account): {}",
                e.message
            );
            return Err(Answer::upstream(&e));
        }
        Err(e) => {
            let mut headers = Vec::new();
            if let Some(id) = &e.request_id {
                headers.push(("x-openstack-request-id".to_owned(), id.clone()));
            }
            if let Some(ms) = e.retry_after_ms {
                headers.push(("retry-after".to_owned(), ms.div_ceil(1000).to_string()));
            }
            (e.status, e.body.clone(), headers)
        }
    };
    Ok(Answer {
        status,
        content_type: if body.is_empty() {
            ""
        } else {
            "application/json"
        },
        body,
        headers,
    })
}

/// The upstream headers a caller sees.
fn pass_headers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Vec<(String, String)> {
    ["x-openstack-request-id", "retry-after"]
        .into_iter()
        .filter_map(|name| get(name).map(|v| (name.to_owned(), v.to_owned())))
        .collect()
}

fn forbidden(key: &AccessKey, cluster: &str) -> Answer {
    let denied = key.denied(format!("may not touch cluster {:?}", clip(cluster)));
    Answer::error(403, "forbidden", &denied.message)
}

/// Whether `key` may touch `cluster`, whichever way the caller and the key name it:
/// when the key lists it as written, yes; otherwise the cluster is read and its name
/// and UUID both checked. An unknown cluster is refused as outside the key.
pub(super) async fn check_cluster<T: Transport, Z>(
    setup: &Setup<T, Z>,
    key: &AccessKey,
    cluster: &str,
) -> Result<(), Answer> {
    if key.allows_cluster(cluster) {
        return Ok(());
    }
    let client = setup.client.as_ref().map_err(Answer::config)?;
    match client.cluster_state(cluster).await {
        Ok(found) if key.allows_cluster(&found.uuid) || key.allows_cluster(&found.name) => Ok(()),
        Ok(_) => Err(forbidden(key, cluster)),
        // Unknown, or not even a cluster's name: outside the key's clusters either way
        // (Identity's not-found is Identity's failure, answered as such below).
        Err(e)
            if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Validation)
                && e.service != Some(Service::Identity) =>
        {
            Err(forbidden(key, cluster))
        }
        Err(e) => Err(Answer::upstream(&e)),
    }
}

/// `{"clusters": [...]}` keeping only the clusters the key may touch.
fn filter_clusters(key: &AccessKey, body: &str) -> Result<String, Answer> {
    let mut value: Value = serde_json::from_str(body).map_err(|_| {
        Answer::error(
            502,
            "invalid_response",
            "the cluster list from NKS is not JSON",
        )
    })?;
    let list = value
        .get_mut("clusters")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            Answer::error(
                502,
                "invalid_response",
                "the cluster list from NKS has no clusters",
            )
        })?;
    list.retain(|c| {
        ["name", "uuid"]
            .iter()
            .filter_map(|f| c.get(f).and_then(Value::as_str))
            .any(|id| key.allows_cluster(id))
    });
    Ok(value.to_string())
}
