//! State: name-or-UUID resolution, transitions after the operation delay, seeds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn a_created_cluster_moves_to_create_complete_with_its_node_groups() {
    let emu = Emulator::with_seed(&json!({"clusters": []}), &["--op-delay-ms", "100"]);
    let token = emu.token();
    let created = emu.nks(
        &token,
        "POST",
        "/v1/clusters",
        Some(&create_cluster_request()),
    );
    assert_eq!(created.status, 202, "{}", created.body);
    let uuid = created.json()["uuid"].as_str().unwrap().to_owned();
    let listed = emu.nks(&token, "GET", "/v1/clusters", None).json();
    assert_eq!(listed["clusters"][0]["status"], "CREATE_IN_PROGRESS");
    let by_uuid = emu.wait_for(
        &token,
        &format!("/v1/clusters/{uuid}"),
        "status",
        "CREATE_COMPLETE",
    );
    let by_name = emu.nks(&token, "GET", "/v1/clusters/test-k8s", None).json();
    assert_eq!(by_uuid["uuid"], by_name["uuid"]);
    assert_eq!(by_name["node_count"], 1);
    assert_eq!(by_name["labels"]["kube_tag"], "v1.32.3");

    let groups = emu
        .nks(
            &token,
            "GET",
            &format!("/v1/clusters/{uuid}/nodegroups"),
            None,
        )
        .json();
    let names: Vec<&str> = groups["nodegroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default-worker"], "default-master is not listed");
    let worker_uuid = groups["nodegroups"][0]["uuid"].as_str().unwrap();
    let by_ng_uuid = emu.nks(
        &token,
        "GET",
        &format!("/v1/clusters/test-k8s/nodegroups/{worker_uuid}"),
        None,
    );
    assert_eq!(by_ng_uuid.json()["name"], "default-worker");
    assert_eq!(by_ng_uuid.json()["status"], "CREATE_COMPLETE");
}

#[test]
fn resize_updates_counts_and_addresses_after_the_delay() {
    let emu = Emulator::with_seed(&one_cluster_seed(), &["--op-delay-ms", "150"]);
    let token = emu.token();
    let resize = json!({"nodegroup": "default-worker", "node_count": 4});
    let answer = emu.nks(
        &token,
        "POST",
        "/v1/clusters/c1/actions/resize",
        Some(&resize),
    );
    assert_eq!(answer.status, 202);
    let during = emu.nks(&token, "GET", "/v1/clusters/c1", None).json();
    assert_eq!(during["status"], "UPDATE_IN_PROGRESS");
    assert_eq!(during["node_count"], 4);
    assert_eq!(
        during["node_addresses"].as_array().unwrap().len(),
        2,
        "nodes come up when the update completes"
    );
    let after = emu.wait_for(&token, "/v1/clusters/c1", "status", "UPDATE_COMPLETE");
    assert_eq!(answer.json()["uuid"], after["uuid"]);
    let addresses = after["node_addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 4);
    let unique: std::collections::BTreeSet<&str> =
        addresses.iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(unique.len(), 4);
    assert_eq!(
        after["status_reason"],
        "Stack UPDATE completed successfully"
    );

    let shrink = json!({"nodegroup": "default-worker", "node_count": 1, "nodes_to_remove": ["a", "b", "c", "d"]});
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/actions/resize",
            Some(&shrink)
        )
        .status,
        400
    );
}

#[test]
fn deletes_pass_through_delete_in_progress_then_are_gone() {
    let emu = Emulator::with_seed(&one_cluster_seed(), &["--op-delay-ms", "100"]);
    let token = emu.token();
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/nodegroups",
            Some(&fixture("create_nodegroup.request"))
        )
        .status,
        201
    );
    emu.wait_for(
        &token,
        "/v1/clusters/c1/nodegroups/added-nodegroup",
        "status",
        "CREATE_COMPLETE",
    );
    let deleted = emu.nks(
        &token,
        "DELETE",
        "/v1/clusters/c1/nodegroups/added-nodegroup",
        None,
    );
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    assert_eq!(
        emu.nks(
            &token,
            "GET",
            "/v1/clusters/c1/nodegroups/added-nodegroup",
            None
        )
        .json()["status"],
        "DELETE_IN_PROGRESS"
    );
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert_eq!(
        emu.nks(
            &token,
            "GET",
            "/v1/clusters/c1/nodegroups/added-nodegroup",
            None
        )
        .status,
        404
    );

    assert_eq!(
        emu.nks(&token, "DELETE", "/v1/clusters/c1", None).status,
        204
    );
    assert_eq!(
        emu.nks(&token, "GET", "/v1/clusters/c1", None).json()["status"],
        "DELETE_IN_PROGRESS"
    );
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert_eq!(emu.nks(&token, "GET", "/v1/clusters/c1", None).status, 404);
}

#[test]
fn kubeconfigs_are_per_cluster_yaml() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    let config = |c: &str| {
        emu.nks(&token, "GET", &format!("/v1/clusters/{c}/config"), None)
            .json()["config"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (prod, test) = (config("prod"), config("k8s-test"));
    let prod_cluster = emu.nks(&token, "GET", "/v1/clusters/prod", None).json();
    assert!(prod.contains(&format!(
        "    server: {}\n",
        prod_cluster["api_address"].as_str().unwrap()
    )));
    let data = |yaml: &str, key: &str| {
        yaml.lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .unwrap()
            .trim()
            .to_owned()
    };
    assert_ne!(
        data(&prod, "certificate-authority-data:"),
        data(&test, "certificate-authority-data:")
    );
    assert_ne!(
        data(&prod, "client-key-data:"),
        data(&test, "client-key-data:")
    );
    // The kubeconfig layout: top-level keys, then two-space nesting, no tabs.
    let top: Vec<&str> = prod
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('-'))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        top,
        [
            "apiVersion",
            "clusters",
            "contexts",
            "current-context",
            "kind",
            "preferences",
            "users"
        ]
    );
    assert!(prod
        .lines()
        .all(|l| !l.contains('\t') && (l.len() - l.trim_start().len()) % 2 == 0));
    assert!(prod.contains("name: \"prod\"") && prod.contains("kind: Config"));
}

#[test]
fn the_default_seed_has_clusters_node_groups_and_one_cluster_mid_update() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    let clusters = emu.nks(&token, "GET", "/v1/clusters", None).json();
    let statuses: Vec<(String, String)> = clusters["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(statuses.contains(&("prod".into(), "CREATE_COMPLETE".into())));
    assert!(statuses.contains(&("dev".into(), "UPDATE_IN_PROGRESS".into())));
    let groups = emu
        .nks(&token, "GET", "/v1/clusters/prod/nodegroups", None)
        .json();
    let auto: Vec<bool> = groups["nodegroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            emu.nks(
                &token,
                "GET",
                &format!(
                    "/v1/clusters/prod/nodegroups/{}/autoscale",
                    g["name"].as_str().unwrap()
                ),
                None,
            )
            .json()["ca_enable"]
                .as_bool()
                .unwrap()
        })
        .collect();
    assert!(auto.contains(&true) && auto.contains(&false), "{auto:?}");
}

#[test]
fn seeds_load_from_a_file_and_bad_seeds_are_refused() {
    let path = std::env::temp_dir().join(format!("nks-seed-{}.json", std::process::id()));
    std::fs::write(
        &path,
        json!({"clusters": [{"name": "from-file"}]}).to_string(),
    )
    .unwrap();
    let emu = Emulator::start(&["--seed", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    let token = emu.token();
    let clusters = emu.nks(&token, "GET", "/v1/clusters", None).json();
    assert_eq!(clusters["clusters"][0]["name"], "from-file");
    let bad = emu.call(
        "POST",
        "/_emulator/seed",
        &[],
        Some(r#"{"clusters":[{"nme":"x"}]}"#),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.error()["detail"].as_str().unwrap().contains("nme"));
    // Add-ons on a cluster below their minimum Kubernetes version could not run there.
    let below = emu.call(
        "POST",
        "/_emulator/seed",
        &[],
        Some(r#"{"supported_k8s":{"v1.25.4":true},"clusters":[{"name":"x","kube_tag":"v1.25.4","addons":["calico"]}]}"#),
    );
    assert_eq!(below.status, 400, "{}", below.body);
    assert_eq!(
        below.error()["detail"],
        "seed: clusters[0].addons: calico needs Kubernetes v1.26.0 or later, the cluster runs v1.25.4"
    );
}

#[test]
fn a_seed_node_groups_version_is_its_own() {
    let emu = Emulator::with_seed(
        &json!({"clusters": [{"name": "c", "kube_tag": "v1.30.3", "nodegroups": [
            {"name": "default-worker", "kube_tag": "v1.29.3"}, {"name": "batch"}
        ]}]}),
        &[],
    );
    let token = emu.token();
    let version =
        |path: &str| emu.nks(&token, "GET", path, None).json()["labels"]["kube_tag"].clone();
    assert_eq!(version("/v1/clusters/c"), "v1.30.3");
    assert_eq!(
        version("/v1/clusters/c/nodegroups/default-worker"),
        "v1.29.3"
    );
    assert_eq!(version("/v1/clusters/c/nodegroups/batch"), "v1.30.3");
}

#[test]
fn the_default_seed_is_ready_for_maintenance() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    let get = |path: &str| emu.nks(&token, "GET", path, None).json();
    // The current guide's table (v1.29.3 to v1.32.3 supported, the older ones listed).
    let supported = get("/v1/supports")["supported_k8s"].clone();
    assert_eq!(
        supported,
        guide_example("supports.response")["supported_k8s"]
    );
    // Every cluster at a supported version, each with an upgrade still to do.
    let versions: Vec<(String, String, String)> = get("/v1/clusters")["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let tag = |key: &str| c["labels"][key].as_str().unwrap().to_owned();
            (
                c["name"].as_str().unwrap().to_owned(),
                tag("kube_tag"),
                tag("kube_version_status"),
            )
        })
        .collect();
    let want = [
        ("prod", "v1.31.4"),
        ("dev", "v1.30.3"),
        ("k8s-test", "v1.29.3"),
    ];
    assert_eq!(
        versions,
        want.map(|(c, v)| (c.to_owned(), v.to_owned(), "NEED_UPGRADE".to_owned()))
    );
    for (_, version, _) in &versions {
        assert_eq!(supported[version], true, "{version}");
    }
    // prod: control plane and workers one minor version behind the newest, certificates
    // that expire within weeks; k8s-test's in more than a year.
    let prod = get("/v1/clusters/prod");
    for group in ["default-worker", "batch", "gpu"] {
        let g = get(&format!("/v1/clusters/prod/nodegroups/{group}"));
        assert_eq!(g["labels"]["kube_tag"], "v1.31.4", "{group}");
    }
    let year_day = |label: &Value| {
        let text = label.as_str().unwrap();
        let year: i64 = text[..4].parse().unwrap();
        let month: i64 = text[5..7].parse().unwrap();
        let day: i64 = text[8..10].parse().unwrap();
        year * 372 + month * 31 + day
    };
    let now = year_day(&prod["created_at"]);
    let prod_expiry = year_day(&prod["labels"]["certificate_expiry"]);
    assert!(
        (15..=25).contains(&(prod_expiry - now)),
        "{}",
        prod["labels"]["certificate_expiry"]
    );
    let other = get("/v1/clusters/k8s-test");
    assert!(year_day(&other["labels"]["certificate_expiry"]) - now > 365);
    let events = get(&format!(
        "/v1/clusters/{}/events",
        prod["uuid"].as_str().unwrap()
    ));
    assert_eq!(events["events"][0]["type"], "CLUSTER_CREATE");
    let addons = get("/v1/clusters/prod/addons");
    assert_eq!(addons["addons"].as_array().unwrap().len(), 2);
    // The oldest, k8s-test, is recent enough for the add-ons (v1.26.0 and later).
    let update = emu.nks(
        &token,
        "PATCH",
        "/v1/clusters/k8s-test/addons/coredns",
        Some(&json!({"version": "1.11.3-nks1", "resolve_conflicts": "none"})),
    );
    assert_eq!(update.status, 202, "{}", update.body);
}

/// A seed cluster that names no version runs the oldest its table supports, as do its
/// node groups; the default table's when the seed's supports none.
#[test]
fn a_seed_cluster_without_a_version_runs_the_oldest_supported() {
    let version = |seed: Value| {
        let emu = Emulator::with_seed(&seed, &[]);
        let token = emu.token();
        let get =
            |path: &str| emu.nks(&token, "GET", path, None).json()["labels"]["kube_tag"].clone();
        let cluster = get("/v1/clusters/c");
        assert_eq!(get("/v1/clusters/c/nodegroups/default-worker"), cluster);
        cluster
    };
    assert_eq!(version(json!({"clusters": [{"name": "c"}]})), "v1.29.3");
    let table = json!({"v1.9.9": false, "v1.27.3": true, "v1.26.3": true, "v1.100.1": true});
    assert_eq!(
        version(json!({"supported_k8s": table, "clusters": [{"name": "c"}]})),
        "v1.26.3"
    );
    assert_eq!(
        version(json!({"supported_k8s": {"v1.26.3": false}, "clusters": [{"name": "c"}]})),
        "v1.29.3"
    );
}

/// The node UUIDs of a node group and whether each is stopped.
fn nodes(emu: &Emulator, c: &str, g: &str) -> Vec<(String, bool)> {
    let answer = emu.call("GET", &format!("/_emulator/nodes/{c}/{g}"), &[], None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["uuid"].as_str().unwrap().to_owned(),
                n["status"] == "SHUTOFF",
            )
        })
        .collect()
}

#[test]
fn resize_removes_the_nodes_named_in_nodes_to_remove() {
    let seed = json!({"clusters": [{"name": "c1", "nodegroups": [{"name": "default-worker", "node_count": 3}]}]});
    let emu = Emulator::with_seed(&seed, &["--op-delay-ms", "100"]);
    let token = emu.token();
    let before = nodes(&emu, "c1", "default-worker");
    assert_eq!(before.len(), 3);
    let first = before[0].0.clone();
    let stop = emu.nks(
        &token,
        "POST",
        "/v1/clusters/c1/nodegroups/default-worker/stop_node",
        Some(&json!({"node_list": first})),
    );
    assert_eq!(stop.status, 202, "{}", stop.body);
    emu.wait_for(&token, "/v1/clusters/c1", "status", "UPDATE_COMPLETE");
    let stopped = nodes(&emu, "c1", "default-worker");
    assert_eq!(stopped[0], (first.clone(), true));

    let resize = |body: Value| {
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/actions/resize",
            Some(&body),
        )
    };
    let unknown = resize(
        json!({"nodegroup": "default-worker", "node_count": 2, "nodes_to_remove": ["no-such-node"]}),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let error = unknown.error();
    assert_eq!(
        error["title"],
        "Invalid input for field/attribute nodes_to_remove."
    );
    assert!(
        error["detail"].as_str().unwrap().contains("no-such-node"),
        "{error}"
    );
    let twice = resize(
        json!({"nodegroup": "default-worker", "node_count": 1, "nodes_to_remove": [first, first]}),
    );
    assert_eq!(twice.status, 400, "{}", twice.body);
    let cluster = emu.nks(&token, "GET", "/v1/clusters/c1", None).json();
    assert_eq!(cluster["status"], "UPDATE_COMPLETE", "nothing started");
    assert_eq!(cluster["node_count"], 3, "nothing changed");
    assert_eq!(nodes(&emu, "c1", "default-worker"), stopped);

    let shrink =
        resize(json!({"nodegroup": "default-worker", "node_count": 2, "nodes_to_remove": [first]}));
    assert_eq!(shrink.status, 202, "{}", shrink.body);
    emu.wait_for(&token, "/v1/clusters/c1", "status", "UPDATE_COMPLETE");
    assert_eq!(
        nodes(&emu, "c1", "default-worker"),
        stopped[1..].to_vec(),
        "the named node went, the others stayed"
    );
}

/// An emulator of one cluster `c1` (operations settling after `delay` ms), a token,
/// and the cluster's UUID.
fn one_cluster(delay: &str) -> (Emulator, String, String) {
    let emu = Emulator::with_seed(&one_cluster_seed(), &["--op-delay-ms", delay]);
    let token = emu.token();
    let uuid = emu.nks(&token, "GET", "/v1/clusters/c1", None).json()["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    (emu, token, uuid)
}

#[test]
fn a_cluster_delete_ends_the_event_of_the_operation_it_replaces() {
    let (emu, token, uuid) = one_cluster("300");
    let renew = emu.nks(
        &token,
        "PATCH",
        "/v1/certificates/c1",
        Some(&json!({"term_of_validity": 1})),
    );
    assert_eq!(renew.status, 202, "{}", renew.body);
    assert_eq!(
        emu.nks(&token, "DELETE", "/v1/clusters/c1", None).status,
        204
    );
    let fail = emu.call(
        "POST",
        "/_emulator/fail",
        &[],
        Some(&json!({"cluster": "c1"}).to_string()),
    );
    assert_eq!(fail.status, 200, "{}", fail.body);
    emu.wait_for(&token, "/v1/clusters/c1", "status", "DELETE_FAILED");
    let events = emu
        .nks(&token, "GET", &format!("/v1/clusters/{uuid}/events"), None)
        .json();
    let states: Vec<(&str, &str, &str)> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["state"].as_str().unwrap(),
                e["contents"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("CLUSTER_CREATE", "SUCCESS", ""),
            (
                "CLUSTER_ROTATE_CERTIFICATE",
                "FAIL",
                "cancelled by CLUSTER_DELETE"
            ),
            ("CLUSTER_DELETE", "FAIL", "the operation failed (emulator)"),
        ]
    );
    // Repaired, the failed delete finishes: the cluster is gone, not `DELETE_COMPLETE`.
    assert_eq!(emu.repair("c1"), 1);
    assert_eq!(emu.nks(&token, "GET", "/v1/clusters/c1", None).status, 404);
}

#[test]
fn a_cluster_keeps_its_1000_most_recent_events() {
    let (emu, token, uuid) = one_cluster("0");
    let path = "/v1/clusters/c1/nodegroups/default-worker/autoscale";
    for i in 0..1002 {
        let settings = json!({"ca_enable": true, "ca_max_node_count": 3 + i % 2});
        let answer = emu.nks(&token, "POST", path, Some(&settings));
        assert_eq!(answer.status, 202, "{}", answer.body);
    }
    let events = emu
        .nks(&token, "GET", &format!("/v1/clusters/{uuid}/events"), None)
        .json();
    let events = events["events"].as_array().unwrap();
    assert_eq!(events.len(), 1000);
    assert!(
        events
            .iter()
            .all(|e| e["type"] == "NODEGROUP_SET_CLUSTER_AUTOSCALER"),
        "CLUSTER_CREATE went first"
    );
}

#[test]
fn a_failed_resize_repaired_completes_with_the_nodes_it_named() {
    let (emu, token, _) = one_cluster("300");
    let group = "/v1/clusters/c1/nodegroups/default-worker";
    let nodes = || {
        emu.call("GET", "/_emulator/nodes/c1/default-worker", &[], None)
            .json()["nodes"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Resizes, fails the resize and repairs it; answers how many nodes the failed
    // resize left.
    let failed_then_repaired = |resize: Value| {
        let path = "/v1/clusters/c1/actions/resize";
        let answer = emu.nks(&token, "POST", path, Some(&resize));
        assert_eq!(answer.status, 202, "{}", answer.body);
        let target = json!({"cluster": "c1", "nodegroup": "default-worker"}).to_string();
        let fail = emu.call("POST", "/_emulator/fail", &[], Some(&target));
        assert_eq!(fail.status, 200, "{}", fail.body);
        emu.wait_for(&token, group, "status", "UPDATE_FAILED");
        let left = nodes().len();
        assert_eq!(emu.repair("c1"), 1);
        left
    };
    let grow = json!({"nodegroup": "default-worker", "node_count": 4});
    assert_eq!(
        failed_then_repaired(grow),
        2,
        "a failed resize brings no node up"
    );
    let after = emu.nks(&token, "GET", group, None).json();
    assert_eq!(after["status"], "UPDATE_COMPLETE");
    assert_eq!(after["node_count"], 4);
    assert_eq!(nodes().len(), 4);
    let cluster = emu.nks(&token, "GET", "/v1/clusters/c1", None).json();
    assert_eq!(cluster["node_addresses"].as_array().unwrap().len(), 4);

    // A shrink that names the node to remove, failed then repaired: that node goes.
    let named = nodes()[0]["uuid"].as_str().unwrap().to_owned();
    failed_then_repaired(
        json!({"nodegroup": "default-worker", "node_count": 3, "nodes_to_remove": [named]}),
    );
    let left: Vec<String> = nodes()
        .iter()
        .map(|n| n["uuid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left.len(), 3);
    assert!(!left.contains(&named), "{named} was to go: {left:?}");
}
