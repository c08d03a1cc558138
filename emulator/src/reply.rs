//! What a handler answers, and Magnum's error shape.

use serde_json::{json, Value};

/// Facts about the request being answered.
pub struct Ctx<'a> {
    pub now_ms: i64,
    pub request_id: &'a str,
    pub base_url: &'a str,
}

/// An answer: status, JSON body (none for 204) and extra headers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    /// Magnum's `{"errors": [...]}` body.
    pub fn error(
        ctx: &Ctx<'_>,
        status: u16,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Reply::json(
            status,
            error_body(ctx.request_id, status, &title.into(), &detail.into()),
        )
    }

    /// 400 about one field of the request.
    pub fn invalid(ctx: &Ctx<'_>, field: &str, why: &str) -> Self {
        Reply::error(
            ctx,
            400,
            format!("Invalid input for field/attribute {field}."),
            format!("{field}: {why}"),
        )
    }
}

pub fn error_body(request_id: &str, status: u16, title: &str, detail: &str) -> Value {
    json!({"errors": [{
        "request_id": request_id,
        "code": if status >= 500 { "server" } else { "client" },
        "status": status,
        "title": title,
        "detail": detail,
        "links": [],
    }]})
}
