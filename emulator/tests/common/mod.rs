//! Starts the real `nks-emulator` binary on a free port and talks HTTP/1.1 to it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TENANT: &str = "demo-tenant";
pub const USER: &str = "demo@example.com";
pub const PASSWORD: &str = "demo-password";

/// A running emulator; stopped (by PID) when dropped.
pub struct Emulator {
    pub child: Child,
    pub url: String,
    pub addr: String,
}

/// An answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The first Magnum error entry.
    pub fn error(&self) -> Value {
        self.json()["errors"][0].clone()
    }
}

impl Emulator {
    pub fn start(args: &[&str]) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nks-emulator"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "first line: {url:?}");
        let addr = url.trim_start_matches("http://").to_owned();
        Emulator { child, url, addr }
    }

    /// Starts with a seed given inline.
    pub fn with_seed(seed: &Value, args: &[&str]) -> Emulator {
        let emu = Emulator::start(args);
        let answer = emu.call("POST", "/_emulator/seed", &[], Some(&seed.to_string()));
        assert_eq!(answer.status, 200, "{}", answer.body);
        emu
    }

    /// One request on a fresh connection; `None` if the connection closed without an answer.
    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Option<Answer> {
        self.try_call_within(Duration::from_secs(10), method, path, headers, body)
    }

    /// `try_call`, waiting at most `wait` for the answer (`None` after that, too).
    pub fn try_call_within(
        &self,
        wait: Duration,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Option<Answer> {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(wait)).unwrap();
        let body = body.unwrap_or("");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        if raw.is_empty() {
            return None;
        }
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_lowercase(), v.to_owned()))
            .collect();
        Some(Answer {
            status,
            headers,
            body: body.to_owned(),
        })
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        self.try_call(method, path, headers, body)
            .expect("the connection closed without an answer")
    }

    pub fn issue_token(&self, tenant: &str, user: &str, password: &str) -> Answer {
        let body = json!({"auth": {"tenantId": tenant, "passwordCredentials": {"username": user, "password": password}}});
        self.call(
            "POST",
            "/v2.0/tokens",
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    pub fn token(&self) -> String {
        let answer = self.issue_token(TENANT, USER, PASSWORD);
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()["access"]["token"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An NKS call with the documented headers.
    pub fn nks(&self, token: &str, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let body = body.map(Value::to_string);
        self.call(
            method,
            path,
            &[
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
                ("OpenStack-API-Version", "container-infra latest"),
                ("X-Auth-Token", token),
            ],
            body.as_deref(),
        )
    }

    /// A cluster's task history (found by name, read by UUID) as `(type, state)` pairs.
    pub fn events(&self, token: &str, cluster: &str) -> Vec<(String, String)> {
        let found = self.nks(token, "GET", &format!("/v1/clusters/{cluster}"), None);
        let uuid = found.json()["uuid"].as_str().unwrap().to_owned();
        let events = self
            .nks(token, "GET", &format!("/v1/clusters/{uuid}/events"), None)
            .json();
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_owned(),
                    e["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Polls `path` until `field` equals `want` (at most 5 s).
    pub fn wait_for(&self, token: &str, path: &str, field: &str, want: &str) -> Value {
        self.wait_until(token, path, 5, |answer| answer.json()[field] == want)
            .json()
    }

    /// Polls `GET path` until its answer passes `check` (at most `seconds`).
    pub fn wait_until(
        &self,
        token: &str,
        path: &str,
        seconds: u64,
        check: impl Fn(&Answer) -> bool,
    ) -> Answer {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let answer = self.nks(token, "GET", path, None);
            if check(&answer) {
                return answer;
            }
            assert!(
                Instant::now() < deadline,
                "{path}: still {} {}",
                answer.status,
                answer.body
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn requests(&self) -> Vec<Value> {
        self.call("GET", "/_emulator/requests", &[], None).json()["requests"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// `POST /_emulator/repair` of `cluster`: how many resources it repaired.
    pub fn repair(&self, cluster: &str) -> Value {
        let body = serde_json::json!({ "cluster": cluster }).to_string();
        let answer = self.call("POST", "/_emulator/repair", &[], Some(&body));
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()["repaired"].clone()
    }

    pub fn set_faults(&self, faults: &Value) {
        let answer = self.call("POST", "/_emulator/faults", &[], Some(&faults.to_string()));
        assert_eq!(answer.status, 200, "{}", answer.body);
    }

    /// Sends SIGTERM and waits (at most 5 s) for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the emulator did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A guide example from the repository's `tests/fixtures/`, without the `"//"` note.
pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if let Some(map) = value.as_object_mut() {
        map.remove("//");
    }
    value
}

/// An example of the current guide (`emulator/tests/fixtures/guide-current.json`).
pub fn guide_example(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/guide-current.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let examples: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    examples[name].clone()
}

/// The old guide's cluster example at a version the emulator supports by default (the
/// example's own, v1.17.6, no longer is).
pub fn create_cluster_request() -> Value {
    let mut request = fixture("create_cluster.request");
    request["labels"]["kube_tag"] = json!("v1.32.3");
    request
}

/// One cluster, like the guide's, with the autoscaler off (at the oldest supported
/// version, v1.29.3).
pub fn one_cluster_seed() -> Value {
    json!({"clusters": [{"name": "c1", "nodegroups": [{"name": "default-worker", "node_count": 2}]}]})
}
