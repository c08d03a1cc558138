//! `POST /v2.0/tokens`: Keystone v2-style password authentication.

use crate::reply::{Ctx, Reply};
use crate::util::{format_utc, Rng};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The one account the emulator knows.
#[derive(Debug, Clone)]
pub struct Account {
    pub tenant_id: String,
    pub username: String,
    pub password: String,
    pub token_ttl_s: u64,
}

/// Issued tokens and when they expire (ms since the epoch).
#[derive(Debug, Default)]
pub struct Tokens(HashMap<String, i64>);

impl Tokens {
    /// Whether `token` was issued here and has not expired.
    pub fn valid(&self, token: &str, now_ms: i64) -> bool {
        self.0.get(token).is_some_and(|&expires| expires > now_ms)
    }
}

/// Whether `path` is Identity's (`/v2.0/tokens`, with or without a trailing slash).
pub fn is_route(path: &str) -> bool {
    path.strip_suffix('/').unwrap_or(path) == "/v2.0/tokens"
}

/// An Identity (Keystone) error: `{"error": {"message", "code", "title"}}`, not NKS's
/// `{"errors": [...]}`.
pub fn error(status: u16, title: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": {"message": message, "code": status, "title": title}}),
    )
}

fn unauthorized() -> Reply {
    error(
        401,
        "Unauthorized",
        "The request you have made requires authentication.",
    )
}

pub fn issue(
    account: &Account,
    tokens: &mut Tokens,
    rng: &mut Rng,
    ctx: &Ctx<'_>,
    body: &[u8],
) -> Reply {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(
            400,
            "Bad Request",
            "Malformed request body: the body is not JSON",
        );
    };
    let auth = request.get("auth");
    let credential = |k: &str| {
        auth.and_then(|a| a.get("passwordCredentials"))
            .and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(tenant), Some(user), Some(password)) = (
        auth.and_then(|a| a.get("tenantId"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        credential("username"),
        credential("password"),
    ) else {
        return error(
            400,
            "Bad Request",
            "auth.tenantId, auth.passwordCredentials.username and .password are required",
        );
    };
    if tenant != account.tenant_id || user != account.username || password != account.password {
        return unauthorized();
    }
    let id = format!("gAAAAA{}", rng.hex(40));
    let ttl_ms = i64::try_from(account.token_ttl_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    let expires = ctx.now_ms.saturating_add(ttl_ms);
    // Expired tokens are forgotten as new ones are issued: a long run that asks for
    // many keeps only those still valid.
    tokens.0.retain(|_, &mut until| until > ctx.now_ms);
    tokens.0.insert(id.clone(), expires);
    Reply::json(
        200,
        json!({"access": {
            "token": {
                "id": id,
                "expires": format_utc(expires, true),
                "issued_at": format_utc(ctx.now_ms, true),
                "tenant": {"id": tenant, "name": "demo-project", "enabled": true, "description": null},
            },
            "serviceCatalog": [{
                "type": "kubernetes", "name": "kubernetes",
                "endpoints": [{"region": "KR1", "publicURL": ctx.base_url}],
                "endpoints_links": []
            }],
            "user": {"id": "12ba32bebc414c4992a2c9be3952a64c", "name": user, "username": user,
                     "roles": [{"name": "Member"}], "roles_links": []},
            "metadata": {"is_admin": 0, "roles": []}
        }}),
    )
}

#[cfg(test)]
mod tests {
    use super::{issue, Account, Tokens};
    use crate::reply::Ctx;
    use crate::util::Rng;

    #[test]
    fn expired_tokens_are_forgotten_when_new_ones_are_issued() {
        let account = Account {
            tenant_id: "t".into(),
            username: "u".into(),
            password: "p".into(),
            token_ttl_s: 1,
        };
        let body = br#"{"auth": {"tenantId": "t", "passwordCredentials": {"username": "u", "password": "p"}}}"#;
        let (mut tokens, mut rng) = (Tokens::default(), Rng::new(1));
        let at = |now_ms| Ctx {
            now_ms,
            request_id: "req",
            base_url: "http://127.0.0.1",
        };
        for now in [0, 500, 999] {
            assert_eq!(
                issue(&account, &mut tokens, &mut rng, &at(now), body).status,
                200
            );
        }
        assert_eq!(tokens.0.len(), 3);
        // At 1500 ms the first two have expired (1000 and 1500 ms); the third has not.
        assert_eq!(
            issue(&account, &mut tokens, &mut rng, &at(1500), body).status,
            200
        );
        assert_eq!(tokens.0.len(), 2);
        assert_eq!(tokens.0.values().filter(|&&until| until > 1500).count(), 2);
    }
}
