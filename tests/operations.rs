//! Each operation the current guide adds, on the wire: method, URL (with names that
//! need percent-encoding), headers and body, as the recording transport saw them;
//! and what came back.

mod common;

use common::{block_on, fixture_text, ok, scripted, status, token_client, ENDPOINT, TOKEN};
use nks_edge::model::{
    from_json, AddonInstall, AddonUpdate, CertificateRenewal, ControlPlaneLog, FipAutoBind,
    FlavorChange, IpAcl, MetricAutoscale, Rollout, ServiceGateways, Upgrade, UuidResponse,
};
use nks_edge::transport::{HttpRequest, Method, Replay};
use nks_edge::{api, ErrorKind, NksClient};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const NAME: &str = "team a?b";
const ENC: &str = "team%20a%3Fb";
const NG: &str = "ng?x#1";
const NG_ENC: &str = "ng%3Fx%231";
const UUID: &str = "388794e6-14dc-48ee-9a4f-9c40df5d97ec";
const EVENT: &str = "868f218a-9446-4500-b6b3-8c1a95e3d7c3";
const ANSWER: &str = r#"{"uuid": "6c1284e2-8ead-46a7-ace9-c19d6eec76b3"}"#;

fn fixture(name: &str) -> String {
    fixture_text(&format!("current/{name}"))
}

/// Runs `call` against one scripted answer; answers the one request sent.
fn one_request(answer: &str, call: impl FnOnce(&NksClient<Replay>)) -> HttpRequest {
    let client = token_client(scripted(vec![ok(answer)]));
    call(&client);
    let mut sent = client.transport().requests();
    assert_eq!(sent.len(), 1, "one request");
    sent.remove(0)
}

fn check(req: &HttpRequest, method: Method, path: &str, body: Option<Value>) {
    assert_eq!(req.method, method);
    assert_eq!(req.url, format!("{ENDPOINT}{path}"));
    assert_eq!(req.header("X-Auth-Token"), Some(TOKEN));
    assert_eq!(
        req.header("OpenStack-API-Version"),
        Some("container-infra latest")
    );
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    assert_eq!(req.header("Accept"), Some("application/json"));
    let sent: Option<Value> = req
        .body
        .as_deref()
        .map(|b| serde_json::from_str(b).unwrap());
    assert_eq!(sent, body);
}

/// Awaits a call whose answer is `ANSWER`.
fn uuid_answer(f: impl std::future::Future<Output = Result<UuidResponse, nks_edge::Error>>) {
    assert_eq!(
        block_on(f).unwrap().uuid,
        "6c1284e2-8ead-46a7-ace9-c19d6eec76b3"
    );
}

#[test]
fn events_by_uuid_take_one_request() {
    let req = one_request(&fixture("list_events.response"), |c| {
        let events = block_on(c.list_events(UUID)).unwrap();
        assert_eq!(events[0].kind.as_deref(), Some("CLUSTER_CREATE"));
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{UUID}/events"),
        None,
    );
    let req = one_request(&fixture("get_event.response"), |c| {
        let event = block_on(c.get_event(UUID, EVENT)).unwrap();
        assert_eq!(event.uuid, EVENT);
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{UUID}/events/{EVENT}"),
        None,
    );
}

#[test]
fn events_by_name_read_the_cluster_once_first() {
    let cluster = json!({"uuid": UUID, "name": NAME}).to_string();
    for get_one in [false, true] {
        let answer = if get_one {
            fixture("get_event.response")
        } else {
            fixture("list_events.response")
        };
        let client = token_client(scripted(vec![ok(cluster.clone()), ok(answer)]));
        if get_one {
            assert_eq!(block_on(client.get_event(NAME, EVENT)).unwrap().uuid, EVENT);
        } else {
            assert_eq!(block_on(client.list_events(NAME)).unwrap().len(), 1);
        }
        let sent = client.transport().requests();
        assert_eq!(sent.len(), 2);
        check(&sent[0], Method::Get, &format!("/v1/clusters/{ENC}"), None);
        let tail = if get_one {
            format!("/{EVENT}")
        } else {
            String::new()
        };
        check(
            &sent[1],
            Method::Get,
            &format!("/v1/clusters/{UUID}/events{tail}"),
            None,
        );
    }
}

#[test]
fn events_of_a_missing_cluster_fail_on_the_read() {
    let client = token_client(scripted(vec![status(
        404,
        r#"{"errors": [{"status": 404, "code": "client", "title": "Not Found", "detail": "Cluster x could not be found."}]}"#,
    )]));
    let err = block_on(client.list_events("x")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(client.transport().requests().len(), 1);
    // A bad event id is refused before any request, also the cluster read.
    let client = token_client(scripted(vec![]));
    let err = block_on(client.get_event("prod", "..")).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("event"));
    assert!(client.transport().requests().is_empty());
}

#[test]
fn ip_acl_set_and_get() {
    let acl: IpAcl = from_json(&fixture("set_ip_acl.request")).unwrap();
    let req = one_request(ANSWER, |c| uuid_answer(c.set_ip_acl(NAME, &acl)));
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/api_ep_ipacl"),
        Some(json!({
            "enable": "True",
            "action": "ALLOW",
            "ipacl_targets": [
                {"cidr_address": "192.168.0.5"},
                {"cidr_address": "10.10.22.3/24", "description": "Your Friends"}
            ]
        })),
    );
    // Turning it off sends only `enable`; read-only fields never go out.
    let off = IpAcl {
        cluster_uuid: Some(UUID.into()),
        ..IpAcl::default()
    };
    let req = one_request(ANSWER, |c| uuid_answer(c.set_ip_acl(NAME, &off)));
    assert_eq!(
        serde_json::from_str::<Value>(req.body.as_deref().unwrap()).unwrap(),
        json!({"enable": "False"})
    );
    let req = one_request(&fixture("get_ip_acl_enabled.response"), |c| {
        let acl = block_on(c.get_ip_acl(NAME)).unwrap();
        assert!(acl.enable);
        assert_eq!(acl.ipacl_targets.unwrap().len(), 2);
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/api_ep_ipacl"),
        None,
    );
}

#[test]
fn certificates_gateways_and_control_plane_log() {
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.renew_certificates(
            NAME,
            &CertificateRenewal {
                term_of_validity: 3,
            },
        ))
    });
    check(
        &req,
        Method::Patch,
        &format!("/v1/certificates/{ENC}"),
        Some(json!({"term_of_validity": 3})),
    );

    let sgw = ServiceGateways {
        ncr_sgw: "n-1".into(),
        obs_sgw: "o-1".into(),
    };
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.update_service_gateways(NAME, &sgw))
    });
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/actions/update_sgw"),
        Some(json!({"ncr_sgw": "n-1", "obs_sgw": "o-1"})),
    );

    let log = ControlPlaneLog {
        enable: true,
        kind: Some("obs".into()),
        sgw: Some("s-1".into()),
        upload_interval: Some(5),
        obs_api_url: Some("https://obs.example/v1/AUTH_x/c/p".into()),
        obs_store_as: Some("text".into()),
        ..ControlPlaneLog::default()
    };
    let req = one_request(ANSWER, |c| uuid_answer(c.set_control_plane_log(NAME, &log)));
    check(
        &req,
        Method::Patch,
        &format!("/v1/clusters/{ENC}"),
        Some(json!({
            "type": "control_plane_log",
            "control_plane_log": {
                "enable": true, "type": "obs", "sgw": "s-1", "upload_interval": 5,
                "obs_api_url": "https://obs.example/v1/AUTH_x/c/p", "obs_store_as": "text"
            }
        })),
    );
}

#[test]
fn nodes_stop_and_start_colon_joined() {
    let nodes = vec!["n-1".to_owned(), "n-2".to_owned(), "n-3".to_owned()];
    let req = one_request(ANSWER, |c| uuid_answer(c.stop_nodes(NAME, NG, &nodes)));
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}/stop_node"),
        Some(json!({"node_list": "n-1:n-2:n-3"})),
    );
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.start_nodes(NAME, NG, &nodes[..1]))
    });
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}/start_node"),
        Some(json!({"node_list": "n-1"})),
    );
}

#[test]
fn nodegroup_patches_carry_their_type() {
    let path = format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}");
    let mba: MetricAutoscale = from_json(
        r#"{"mba_scale_out": {"enable": true, "max_node_count": 5, "rules_operator": "AND",
            "delay": 3, "adjustment_count": 1,
            "rules": [{"metric": "GROUP_MEMORY_USAGE", "threshold": 70, "duration": 5}]}}"#,
    )
    .unwrap();
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.set_metric_autoscale(NAME, NG, &mba))
    });
    check(
        &req,
        Method::Patch,
        &path,
        Some(json!({
            "type": "metric_base_autoscale",
            "mba_scale_out": {"enable": true, "max_node_count": 5, "rules_operator": "AND",
                "delay": 3, "adjustment_count": 1,
                "rules": [{"metric": "GROUP_MEMORY_USAGE", "threshold": 70, "duration": 5}]}
        })),
    );

    let flavor = FlavorChange {
        flavor_id: "f-2".into(),
        rollout: Rollout {
            num_buffer_nodes: Some(0),
            num_max_unavailable_nodes: None,
        },
    };
    let req = one_request(ANSWER, |c| uuid_answer(c.change_flavor(NAME, NG, &flavor)));
    check(
        &req,
        Method::Patch,
        &path,
        Some(json!({"type": "flavor_id", "flavor_id": "f-2", "num_buffer_nodes": 0})),
    );

    let fip = FipAutoBind {
        fip_auto_bind_enable: false,
        ..FipAutoBind::default()
    };
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.set_floating_ip_auto_bind(NAME, NG, &fip))
    });
    check(
        &req,
        Method::Patch,
        &path,
        Some(
            json!({"type": "fip_auto_bind", "fip_auto_bind_update_info": {"fip_auto_bind_enable": false}}),
        ),
    );

    let labels: BTreeMap<String, String> = [("tier".to_owned(), "db".to_owned())].into();
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.set_node_labels(NAME, NG, &labels))
    });
    check(
        &req,
        Method::Patch,
        &path,
        Some(json!({"type": "k8s_node_labels", "k8s_node_labels": {"tier": "db"}})),
    );
}

#[test]
fn user_script_and_upgrade_options() {
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.set_user_script(NAME, NG, "#!/bin/sh\necho hi\n"))
    });
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}/userscript"),
        Some(json!({"contents": "#!/bin/sh\necho hi\n"})),
    );
    let spec = Upgrade {
        version: "v1.31.4".into(),
        rollout: Rollout {
            num_buffer_nodes: Some(2),
            num_max_unavailable_nodes: Some(1),
        },
    };
    let req = one_request(ANSWER, |c| uuid_answer(c.upgrade_with(NAME, NG, &spec)));
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}/upgrade"),
        Some(json!({"version": "v1.31.4", "num_buffer_nodes": 2, "num_max_unavailable_nodes": 1})),
    );
    // The three-argument form sends the version alone.
    let req = one_request(ANSWER, |c| uuid_answer(c.upgrade(NAME, NG, "v1.31.4")));
    assert_eq!(
        serde_json::from_str::<Value>(req.body.as_deref().unwrap()).unwrap(),
        json!({"version": "v1.31.4"})
    );
}

#[test]
fn addon_catalogue_reads() {
    let req = one_request(&fixture("list_addon_types.response"), |c| {
        let types = block_on(c.list_addon_types()).unwrap();
        assert_eq!(types[1].name, "kube-dns");
    });
    check(&req, Method::Get, "/v1/addon_types/", None);
    let req = one_request(&fixture("get_addon_type.response"), |c| {
        assert_eq!(block_on(c.get_addon_type("cni")).unwrap().name, "cni");
    });
    check(&req, Method::Get, "/v1/addon_types/cni", None);
    let req = one_request(&fixture("list_addons.response"), |c| {
        assert_eq!(block_on(c.list_addons()).unwrap()[1].name, "coredns");
    });
    check(&req, Method::Get, "/v1/addons/", None);
    let id = "23454567-1234-12d3-a456-426614174001";
    let req = one_request(&fixture("get_addon.response"), |c| {
        assert_eq!(block_on(c.get_addon(id)).unwrap().name, "calico");
    });
    check(&req, Method::Get, &format!("/v1/addons/{id}"), None);
}

#[test]
fn cluster_addons_on_the_wire() {
    let req = one_request(&fixture("list_cluster_addons.response"), |c| {
        assert_eq!(block_on(c.list_cluster_addons(NAME)).unwrap().len(), 2);
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/addons/"),
        None,
    );
    let req = one_request(&fixture("get_cluster_addon.response"), |c| {
        let addon = block_on(c.get_cluster_addon(NAME, "calico")).unwrap();
        assert_eq!(addon.kind.as_deref(), Some("cni"));
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/addons/calico"),
        None,
    );
    let install = AddonInstall {
        name: "coredns".into(),
        version: "1.8.4-nks1".into(),
        resolve_conflicts: "overwrite".into(),
        options: Some(json!({"replicas": 2}).as_object().unwrap().clone()),
    };
    let req = one_request(ANSWER, |c| uuid_answer(c.install_addon(NAME, &install)));
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/addons/"),
        Some(
            json!({"name": "coredns", "version": "1.8.4-nks1", "resolve_conflicts": "overwrite", "options": {"replicas": 2}}),
        ),
    );
    let update = AddonUpdate {
        version: "1.8.5-nks1".into(),
        resolve_conflicts: "preserve".into(),
        options: None,
    };
    let req = one_request(ANSWER, |c| {
        uuid_answer(c.update_addon(NAME, "core dns", &update))
    });
    check(
        &req,
        Method::Patch,
        &format!("/v1/clusters/{ENC}/addons/core%20dns"),
        Some(json!({"version": "1.8.5-nks1", "resolve_conflicts": "preserve"})),
    );
    let req = one_request(ANSWER, |c| uuid_answer(c.uninstall_addon(NAME, "coredns")));
    check(
        &req,
        Method::Delete,
        &format!("/v1/clusters/{ENC}/addons/coredns"),
        None,
    );
}

#[test]
fn supported_event_types_on_the_wire() {
    let req = one_request(&fixture("supports.response"), |c| {
        let types = block_on(c.supported_event_types()).unwrap();
        assert_eq!(types["NODEGROUP_NODE_ACTION_STOP_NODE"], "Stop worker node");
    });
    check(&req, Method::Get, "/v1/supports", None);
}

#[test]
fn retries_follow_the_table() {
    // Reads, absolute writes and deletes are resent; installs, renewals and upgrades
    // are not (a second one would start a second operation).
    for (op, resent) in [
        (&api::LIST_EVENTS, true),
        (&api::SET_IP_ACL, true),
        (&api::SET_NODE_LABELS, true),
        (&api::STOP_NODES, true),
        (&api::UNINSTALL_ADDON, true),
        (&api::RENEW_CERTIFICATES, false),
        (&api::INSTALL_ADDON, false),
        (&api::UPGRADE, false),
    ] {
        assert_eq!(op.idempotent, resent, "{}", op.name);
    }
    let client = token_client(scripted(vec![status(503, ""), ok(ANSWER)]));
    let nodes = vec!["n-1".to_owned()];
    block_on(client.stop_nodes("c", "g", &nodes)).unwrap();
    assert_eq!(client.transport().requests().len(), 2);
    let client = token_client(scripted(vec![status(503, "")]));
    let spec = CertificateRenewal {
        term_of_validity: 1,
    };
    let err = block_on(client.renew_certificates("c", &spec)).unwrap_err();
    assert_eq!(err.status, 503);
    assert_eq!(client.transport().requests().len(), 1);
}
