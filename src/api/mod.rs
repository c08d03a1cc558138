//! Each endpoint as data: [`Call`] holds the method, the path (segments
//! percent-encoded), the JSON body and how to read the answer. No I/O happens here;
//! every constructor validates its input first.

mod cluster;
mod nodegroup;

pub use cluster::{create_cluster, delete_cluster, get_cluster, kubeconfig, list_clusters, resize};
pub use nodegroup::{
    create_nodegroup, delete_nodegroup, get_autoscale, get_nodegroup, list_nodegroups,
    set_autoscale, supported_versions, upgrade,
};

use crate::error::Error;
use crate::model::{labels_to_wire, Labels};
use crate::transport::Method;

/// Reads a 2xx answer's body into the endpoint's result.
pub type Parse<R> = fn(&str) -> Result<R, String>;

/// One request to the NKS API, ready to send.
#[derive(Debug)]
pub struct Call<R> {
    /// The method.
    pub method: Method,
    /// The path below the endpoint, starting with `/v1/`.
    pub path: String,
    /// The JSON body, if any.
    pub body: Option<String>,
    /// Reads a successful answer.
    pub parse: Parse<R>,
}

impl<R> Call<R> {
    /// Whether resending is safe (`GET`, `DELETE`); `POST` is never resent.
    pub fn idempotent(&self) -> bool {
        matches!(self.method, Method::Get | Method::Delete)
    }
}

/// Percent-encodes one path segment: only RFC 3986's unreserved characters stay.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A path segment from user input: validated, then encoded.
fn seg(field: &str, value: &str) -> Result<String, Error> {
    crate::validate::id_or_name(field, value)?;
    Ok(segment(value))
}

/// The body of an answer documented as empty (deletes).
fn nothing(_body: &str) -> Result<(), String> {
    Ok(())
}

fn body_of(value: &impl serde::Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::validation("body", e))
}

/// A create request's body, with its `labels` replaced by their wire form.
fn body_with_wire_labels(spec: &impl serde::Serialize, labels: &Labels) -> Result<String, Error> {
    let mut body = serde_json::to_value(spec).map_err(|e| Error::validation("body", e))?;
    if let Some(map) = body.as_object_mut() {
        let wire = labels_to_wire(labels).map_err(|e| Error::validation("labels", e))?;
        map.insert("labels".into(), wire);
    }
    body_of(&body)
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn segments_cannot_change_the_path() {
        assert_eq!(segment("team a/b"), "team%20a%2Fb");
        assert_eq!(segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(segment("한"), "%ED%95%9C");
        assert_eq!(
            segment("2b778d83-8b67-45b1-920e-b0c5ad5c2f30"),
            "2b778d83-8b67-45b1-920e-b0c5ad5c2f30"
        );
    }
}
