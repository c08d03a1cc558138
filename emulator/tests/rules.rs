//! The reference's rules, enforced with Magnum-shaped errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

/// A field name and how to break a valid request for it.
type Case = (&'static str, Box<dyn Fn(&mut Value)>);

fn create_request() -> Value {
    create_cluster_request()
}

#[test]
fn errors_have_magnums_shape_and_the_request_id_header() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    let answer = emu.nks(&token, "GET", "/v1/clusters/nope", None);
    assert_eq!(answer.status, 404);
    let error = answer.error();
    for key in ["request_id", "code", "status", "title", "detail", "links"] {
        assert!(error.get(key).is_some(), "missing {key}: {error}");
    }
    assert_eq!(error["title"], "Cluster nope could not be found.");
    assert_eq!(error["code"], "client");
    let header = answer.header("x-openstack-request-id").unwrap();
    assert!(header.starts_with("req-"));
    assert_eq!(error["request_id"], header);
}

#[test]
fn cluster_create_rules() {
    let emu = Emulator::with_seed(&json!({"clusters": []}), &[]);
    let token = emu.token();
    let cases: Vec<Case> = vec![
        (
            "name",
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("name");
            }),
        ),
        ("keypair", Box::new(|r| r["keypair"] = json!(""))),
        (
            "flavor_id",
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("flavor_id");
            }),
        ),
        (
            "fixed_subnet",
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("fixed_subnet");
            }),
        ),
        (
            "cluster_template_id",
            Box::new(|r| r["cluster_template_id"] = json!("magnum")),
        ),
        ("node_count", Box::new(|r| r["node_count"] = json!(0))),
        ("node_count", Box::new(|r| r["node_count"] = json!(11))),
        (
            "labels.cert_manager_api",
            Box::new(|r| r["labels"]["cert_manager_api"] = json!("False")),
        ),
        (
            "labels.kube_tag",
            Box::new(|r| {
                r["labels"].as_object_mut().unwrap().remove("kube_tag");
            }),
        ),
        (
            "labels.kube_tag",
            Box::new(|r| r["labels"]["kube_tag"] = json!("v9.9.9")),
        ),
        (
            "labels.kube_tag",
            Box::new(|r| r["labels"]["kube_tag"] = json!("v1.28.3")),
        ),
        (
            "labels.ca_enable",
            Box::new(|r| r["labels"]["ca_enable"] = json!("maybe")),
        ),
        (
            "labels.boot_volume_size",
            Box::new(|r| r["labels"]["boot_volume_size"] = json!("big")),
        ),
        (
            "labels.master_lb_floating_ip_enabled",
            Box::new(|r| {
                r["labels"]
                    .as_object_mut()
                    .unwrap()
                    .remove("external_network_id");
            }),
        ),
        (
            "labels.ca_min_node_count",
            Box::new(|r| {
                r["labels"]["ca_min_node_count"] = json!("5");
                r["labels"]["ca_max_node_count"] = json!("4");
            }),
        ),
    ];
    for (field, break_it) in cases {
        let mut request = create_request();
        break_it(&mut request);
        let answer = emu.nks(&token, "POST", "/v1/clusters", Some(&request));
        assert_eq!(answer.status, 400, "{field}: {}", answer.body);
        assert_eq!(
            answer.error()["title"],
            format!("Invalid input for field/attribute {field}."),
            "{}",
            answer.body
        );
    }
    let invalid_json = emu.call(
        "POST",
        "/v1/clusters",
        &[("X-Auth-Token", &token)],
        Some("{not json"),
    );
    assert_eq!(invalid_json.status, 400);
    assert_eq!(invalid_json.error()["title"], "Malformed request body");
    assert!(
        emu.nks(&token, "GET", "/v1/clusters", None).json()["clusters"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Floating IP off: no external network needed. Then the name is taken.
    let mut request = create_request();
    request["labels"]["master_lb_floating_ip_enabled"] = json!("False");
    request["labels"]
        .as_object_mut()
        .unwrap()
        .remove("external_network_id");
    assert_eq!(
        emu.nks(&token, "POST", "/v1/clusters", Some(&request))
            .status,
        202
    );
    assert_eq!(
        emu.nks(&token, "POST", "/v1/clusters", Some(&request))
            .status,
        409
    );
}

#[test]
fn quota_is_configurable() {
    let emu = Emulator::with_seed(
        &one_cluster_seed(),
        &["--max-node-count", "20", "--op-delay-ms", "20"],
    );
    let token = emu.token();
    let resize = json!({"nodegroup": "default-worker", "node_count": 15});
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/actions/resize",
            Some(&resize)
        )
        .status,
        202
    );
    let too_many = json!({"nodegroup": "default-worker", "node_count": 21});
    emu.wait_for(&token, "/v1/clusters/c1", "status", "UPDATE_COMPLETE");
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/actions/resize",
            Some(&too_many)
        )
        .status,
        400
    );
}

#[test]
fn resize_is_refused_while_the_autoscaler_is_on_or_the_cluster_is_busy() {
    let seed = json!({"clusters": [{"name": "c1", "nodegroups": [
        {"name": "default-worker", "node_count": 2},
        {"name": "auto", "node_count": 2, "labels": {"ca_enable": "True", "ca_min_node_count": "1", "ca_max_node_count": "5"}}]}]});
    let emu = Emulator::with_seed(&seed, &["--op-delay-ms", "300"]);
    let token = emu.token();
    let auto = emu.nks(
        &token,
        "POST",
        "/v1/clusters/c1/actions/resize",
        Some(&json!({"nodegroup": "auto", "node_count": 3})),
    );
    assert_eq!(auto.status, 400);
    assert!(auto.error()["title"]
        .as_str()
        .unwrap()
        .contains("autoscaler"));

    let grow = json!({"nodegroup": "default-worker", "node_count": 3});
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/actions/resize",
            Some(&grow)
        )
        .status,
        202
    );
    let busy = emu.nks(
        &token,
        "POST",
        "/v1/clusters/c1/actions/resize",
        Some(&grow),
    );
    assert_eq!(busy.status, 400);
    assert_eq!(
        busy.error()["title"],
        "Cluster c1 is in status UPDATE_IN_PROGRESS."
    );
    let busy = emu.nks(
        &token,
        "POST",
        "/v1/clusters/c1/nodegroups/default-master/upgrade",
        Some(&json!({"version": "v1.30.3"})),
    );
    assert_eq!(busy.status, 400);
    let unknown = emu.nks(
        &token,
        "POST",
        "/v1/clusters/c1/actions/resize",
        Some(&json!({"nodegroup": "default-worker", "node_count": 0})),
    );
    assert_eq!(unknown.status, 400);
}

#[test]
fn upgrades_go_control_plane_first_and_only_to_supported_versions() {
    let emu = Emulator::with_seed(
        &json!({"clusters": [{"name": "c1", "kube_tag": "v1.30.3"}]}),
        &["--op-delay-ms", "20"],
    );
    let token = emu.token();
    let up = |ng: &str, v: &str| {
        emu.nks(
            &token,
            "POST",
            &format!("/v1/clusters/c1/nodegroups/{ng}/upgrade"),
            Some(&json!({"version": v})),
        )
    };
    let detail = |answer: &Answer| answer.error()["detail"].as_str().unwrap().to_owned();

    let above = up("default-worker", "v1.31.4");
    assert_eq!(above.status, 400);
    assert!(above.error()["title"]
        .as_str()
        .unwrap()
        .contains("above the control plane"));
    assert_eq!(up("default-master", "v9.0.0").status, 400);
    // v1.29.3 is supported: refused only for going back.
    let down = up("default-master", "v1.29.3");
    assert_eq!(down.status, 400, "no downgrades");
    assert_eq!(
        detail(&down),
        "version: node group default-master is already at v1.30.3; upgrades only move forward"
    );
    // The table lists v1.21.6, no longer supported: refused as the API refuses it.
    let unsupported = up("default-master", "v1.21.6");
    assert_eq!(unsupported.status, 400, "{}", unsupported.body);
    assert_eq!(
        unsupported.error()["title"],
        "Invalid input for field/attribute version."
    );
    assert_eq!(
        detail(&unsupported),
        "version: v1.21.6 is not a supported Kubernetes version (see GET /v1/supports)"
    );
    assert!(unsupported.header("x-openstack-request-id").is_some());
    assert_eq!(
        emu.nks(
            &token,
            "POST",
            "/v1/clusters/c1/nodegroups/default-master/upgrade",
            Some(&json!({}))
        )
        .status,
        400
    );

    let master = up("default-master", "v1.31.4");
    assert_eq!(master.status, 202);
    let cluster = emu.wait_for(&token, "/v1/clusters/c1", "status", "UPDATE_COMPLETE");
    assert_eq!(cluster["labels"]["kube_tag"], "v1.31.4");
    assert_eq!(cluster["coe_version"], "v1.31.4");

    let worker = up("default-worker", "v1.31.4");
    assert_eq!(worker.status, 202);
    let ng = emu.wait_for(
        &token,
        "/v1/clusters/c1/nodegroups/default-worker",
        "status",
        "UPDATE_COMPLETE",
    );
    assert_eq!(ng["labels"]["kube_tag"], "v1.31.4");
    assert_eq!(worker.json()["uuid"], ng["uuid"]);
}

#[test]
fn node_group_rules() {
    let emu = Emulator::with_seed(&one_cluster_seed(), &["--op-delay-ms", "20"]);
    let token = emu.token();
    let mut request = fixture("create_nodegroup.request");
    request.as_object_mut().unwrap().remove("image_id");
    let missing = emu.nks(&token, "POST", "/v1/clusters/c1/nodegroups", Some(&request));
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.error()["title"],
        "Invalid input for field/attribute image_id."
    );
    let mut request = fixture("create_nodegroup.request");
    request["labels"]
        .as_object_mut()
        .unwrap()
        .remove("ca_enable");
    assert_eq!(
        emu.nks(&token, "POST", "/v1/clusters/c1/nodegroups", Some(&request))
            .status,
        400
    );

    let request = fixture("create_nodegroup.request");
    assert_eq!(
        emu.nks(&token, "POST", "/v1/clusters/c1/nodegroups", Some(&request))
            .status,
        201
    );
    assert_eq!(
        emu.nks(&token, "POST", "/v1/clusters/c1/nodegroups", Some(&request))
            .status,
        409
    );

    let default = emu.nks(
        &token,
        "DELETE",
        "/v1/clusters/c1/nodegroups/default-worker",
        None,
    );
    assert_eq!(default.status, 400);
    let unknown = emu.nks(&token, "GET", "/v1/clusters/c1/nodegroups/ghost", None);
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.error()["title"],
        "Nodegroup ghost could not be found."
    );
    let master = emu.nks(
        &token,
        "GET",
        "/v1/clusters/c1/nodegroups/default-master",
        None,
    );
    assert_eq!(
        master.status, 404,
        "default-master is not listed nor readable"
    );
}

#[test]
fn autoscale_settings_are_checked_and_stored() {
    let emu = Emulator::with_seed(&one_cluster_seed(), &["--op-delay-ms", "20"]);
    let token = emu.token();
    let path = "/v1/clusters/c1/nodegroups/default-worker/autoscale";
    let inverted = json!({"ca_enable": true, "ca_min_node_count": 5, "ca_max_node_count": 3});
    assert_eq!(emu.nks(&token, "POST", path, Some(&inverted)).status, 400);
    let unknown = json!({"ca_enable": true, "ca_image": "x"});
    assert_eq!(emu.nks(&token, "POST", path, Some(&unknown)).status, 400);
    assert_eq!(
        emu.nks(&token, "POST", path, Some(&json!({"ca_min_node_count": 1})))
            .status,
        400
    );

    let set = json!({"ca_enable": true, "ca_min_node_count": 3, "ca_max_node_count": 6, "ca_scale_down_util_thresh": 40});
    let answer = emu.nks(&token, "POST", path, Some(&set));
    assert_eq!(answer.status, 202);
    let got = emu.nks(&token, "GET", path, None).json();
    assert_eq!(got["ca_enable"], true);
    assert_eq!(got["ca_min_node_count"], 3);
    assert_eq!(got["ca_max_node_count"], 6);
    assert_eq!(got["ca_scale_down_util_thresh"], 40);
    let ng = emu.wait_for(
        &token,
        "/v1/clusters/c1/nodegroups/default-worker",
        "status",
        "UPDATE_COMPLETE",
    );
    assert_eq!(
        ng["labels"]["ca_enable"], "True",
        "labels keep the wire form"
    );
    assert_eq!(ng["labels"]["ca_min_node_count"], "3");
    assert_eq!(ng["min_node_count"], 3);
    assert_eq!(
        ng["node_count"], 3,
        "the autoscaler raised the group to its minimum"
    );
    assert_eq!(ng["node_addresses"].as_array().unwrap().len(), 3);
    assert_eq!(answer.json()["uuid"], ng["uuid"]);
}

#[test]
fn microversions_outside_the_range_get_406() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    let with = |v: &str| {
        emu.call(
            "GET",
            "/v1/supports",
            &[("X-Auth-Token", &token), ("OpenStack-API-Version", v)],
            None,
        )
    };
    assert_eq!(with("container-infra latest").status, 200);
    assert_eq!(with("container-infra 1.5").status, 200);
    let refused = with("container-infra 2.0");
    assert_eq!(refused.status, 406);
    let error = refused.error();
    assert_eq!(error["max_version"], "1.10");
    assert_eq!(error["min_version"], "1.1");
    assert_eq!(error["title"], "Requested microversion is unsupported");
}

#[test]
fn unknown_routes_and_methods() {
    let emu = Emulator::start(&[]);
    let token = emu.token();
    assert_eq!(emu.nks(&token, "GET", "/v1/nothing", None).status, 404);
    assert_eq!(emu.nks(&token, "GET", "/v2/clusters", None).status, 404);
    assert_eq!(emu.nks(&token, "POST", "/v1/supports", None).status, 405);
}

#[test]
fn a_busy_node_group_refuses_other_operations_and_every_event_settles() {
    let seed = json!({"clusters": [{"name": "c1", "nodegroups": [
        {"name": "default-worker", "node_count": 2},
        {"name": "batch", "node_count": 1}]}]});
    let emu = Emulator::with_seed(&seed, &["--op-delay-ms", "300"]);
    let token = emu.token();
    let ng = "/v1/clusters/c1/nodegroups/batch";
    let script = json!({"contents": "#!/bin/bash\necho hello"});
    let first = emu.nks(&token, "POST", &format!("{ng}/userscript"), Some(&script));
    assert_eq!(first.status, 202, "{}", first.body);

    let refusals = [
        (
            "POST",
            format!("{ng}/autoscale"),
            Some(json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": 3})),
        ),
        (
            "POST",
            "/v1/clusters/c1/actions/resize".to_owned(),
            Some(json!({"nodegroup": "batch", "node_count": 2})),
        ),
        (
            "POST",
            format!("{ng}/upgrade"),
            Some(json!({"version": "v1.30.3"})),
        ),
        ("DELETE", ng.to_owned(), None),
    ];
    for (method, path, body) in &refusals {
        let busy = emu.nks(&token, method, path, body.as_ref());
        assert_eq!(busy.status, 400, "{method} {path}: {}", busy.body);
        let error = busy.error();
        assert_eq!(
            error["title"], "Nodegroup batch is in status UPDATE_IN_PROGRESS.",
            "{method} {path}"
        );
        assert_eq!(error["code"], "client");
    }
    assert_eq!(
        emu.nks(&token, "GET", &format!("{ng}/autoscale"), None)
            .json()["ca_enable"],
        false,
        "a refused request changes nothing"
    );

    let settled = emu.wait_for(&token, ng, "status", "UPDATE_COMPLETE");
    assert_eq!(settled["node_count"], 1);
    let states = emu.events(&token, "c1");
    let states: Vec<(&str, &str)> = states
        .iter()
        .map(|(kind, state)| (kind.as_str(), state.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("CLUSTER_CREATE", "SUCCESS"),
            ("NODEGROUP_USERSCRIPT_UPDATE", "SUCCESS")
        ],
        "refused requests record no event"
    );

    let (method, path, body) = &refusals[0];
    assert_eq!(emu.nks(&token, method, path, body.as_ref()).status, 202);
}

/// A node group cannot be deleted while its cluster is being changed.
#[test]
fn a_node_group_waits_for_its_cluster_to_settle_before_it_is_deleted() {
    let seed = json!({"clusters": [{"name": "c1", "status": "UPDATE_IN_PROGRESS", "settle_after_ms": 300,
        "nodegroups": [{"name": "default-worker", "node_count": 1}, {"name": "batch", "node_count": 1}]}]});
    let emu = Emulator::with_seed(&seed, &["--op-delay-ms", "20"]);
    let token = emu.token();
    let ng = "/v1/clusters/c1/nodegroups/batch";
    let busy = emu.nks(&token, "DELETE", ng, None);
    assert_eq!(busy.status, 400, "{}", busy.body);
    assert_eq!(
        busy.error()["title"],
        "Cluster c1 is in status UPDATE_IN_PROGRESS."
    );
    assert_eq!(
        emu.nks(&token, "GET", ng, None).status,
        200,
        "nothing was deleted"
    );
    emu.wait_for(&token, "/v1/clusters/c1", "status", "UPDATE_COMPLETE");
    assert_eq!(emu.nks(&token, "DELETE", ng, None).status, 204);
}

/// A newer autoscaler change supersedes one in progress (a reconciler may send it
/// again before the first settles): both are accepted, the first's event ends
/// `SUCCESS`, and the newer settings hold.
#[test]
fn a_newer_autoscaler_change_supersedes_one_in_progress() {
    let seed = json!({"clusters": [{"name": "c1", "nodegroups": [{"name": "default-worker", "node_count": 2}]}]});
    let emu = Emulator::with_seed(&seed, &["--op-delay-ms", "300"]);
    let token = emu.token();
    let ng = "/v1/clusters/c1/nodegroups/default-worker";
    for max in [3, 5] {
        let body = json!({"ca_enable": true, "ca_min_node_count": 1, "ca_max_node_count": max});
        let answer = emu.nks(&token, "POST", &format!("{ng}/autoscale"), Some(&body));
        assert_eq!(answer.status, 202, "{}", answer.body);
    }
    emu.wait_for(&token, ng, "status", "UPDATE_COMPLETE");
    let settings = emu
        .nks(&token, "GET", &format!("{ng}/autoscale"), None)
        .json();
    assert_eq!(settings["ca_max_node_count"], 5);
    let autoscaler: Vec<String> = emu
        .events(&token, "c1")
        .into_iter()
        .filter(|(kind, _)| kind == "NODEGROUP_SET_CLUSTER_AUTOSCALER")
        .map(|(_, state)| state)
        .collect();
    assert_eq!(autoscaler, ["SUCCESS", "SUCCESS"]);
}

#[test]
fn the_two_autoscalers_are_never_on_at_once_at_create() {
    let emu = Emulator::with_seed(&one_cluster_seed(), &["--op-delay-ms", "20"]);
    let token = emu.token();
    let rule = json!([{"metric": "GROUP_CPU_USAGE", "threshold": 80, "duration": 3}]);
    let mba = json!({"enable": "True", "max_node_count": 5, "rules": rule}).to_string();

    let mut request = fixture("create_nodegroup.request");
    request["labels"]["ca_enable"] = json!("True");
    request["labels"]["mba_scale_out"] = json!(mba);
    let both = emu.nks(&token, "POST", "/v1/clusters/c1/nodegroups", Some(&request));
    assert_eq!(both.status, 400, "{}", both.body);
    let error = both.error();
    assert_eq!(
        error["title"],
        "Invalid input for field/attribute labels.ca_enable."
    );
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .contains("labels.mba_scale_out"),
        "{error}"
    );
    assert_eq!(
        emu.nks(
            &token,
            "GET",
            "/v1/clusters/c1/nodegroups/added-nodegroup",
            None
        )
        .status,
        404,
        "nothing created"
    );

    let mut request = create_request();
    request["labels"]["ca_enable"] = json!(true);
    request["labels"]["mba_scale_in"] = json!({"enable": true, "min_node_count": 1, "rules": rule});
    let both = emu.nks(&token, "POST", "/v1/clusters", Some(&request));
    assert_eq!(both.status, 400, "{}", both.body);
    assert!(
        both.error()["detail"]
            .as_str()
            .unwrap()
            .contains("labels.mba_scale_in"),
        "{}",
        both.body
    );
    let clusters = emu.nks(&token, "GET", "/v1/clusters", None).json();
    assert_eq!(
        clusters["clusters"].as_array().unwrap().len(),
        1,
        "nothing created"
    );

    let mut request = fixture("create_nodegroup.request");
    request["labels"]["mba_scale_out"] = json!(mba);
    let one = emu.nks(&token, "POST", "/v1/clusters/c1/nodegroups", Some(&request));
    assert_eq!(
        one.status, 201,
        "one autoscaler alone is fine: {}",
        one.body
    );
}
