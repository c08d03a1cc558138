//! Each of the 14 endpoints on the wire: method, URL (with a name that needs
//! percent-encoding), headers and body, as recorded by the transport.

mod common;

use common::{
    block_on, fixture, fixture_text, ok, scripted, status, token_client, ENDPOINT, TOKEN,
};
use nks_edge::model::{from_json, Autoscale, ClusterCreate, NodeGroupCreate, Resize};
use nks_edge::transport::{HttpRequest, Method, Replay};
use nks_edge::NksClient;
use serde_json::Value;

/// A name that would change the path if it were not encoded.
const NAME: &str = "team a?b";
const ENC: &str = "team%20a%3Fb";
const NG: &str = "ng?x#1";
const NG_ENC: &str = "ng%3Fx%231";

fn one_request(answer: &str, call: impl FnOnce(&NksClient<Replay>)) -> HttpRequest {
    let client = token_client(scripted(vec![ok(answer)]));
    call(&client);
    let mut sent = client.transport().requests();
    assert_eq!(sent.len(), 1);
    sent.remove(0)
}

fn assert_headers(req: &HttpRequest) {
    assert_eq!(req.header("X-Auth-Token"), Some(TOKEN));
    assert_eq!(
        req.header("OpenStack-API-Version"),
        Some("container-infra latest")
    );
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    assert_eq!(req.header("Accept"), Some("application/json"));
}

fn check(req: &HttpRequest, method: Method, path: &str, body: Option<Value>) {
    assert_eq!(req.method, method);
    assert_eq!(req.url, format!("{ENDPOINT}{path}"));
    assert_headers(req);
    let sent: Option<Value> = req
        .body
        .as_deref()
        .map(|b| serde_json::from_str(b).unwrap());
    assert_eq!(sent, body);
}

#[test]
fn endpoint_1_list_clusters() {
    let req = one_request(&fixture_text("list_clusters.response"), |c| {
        assert_eq!(block_on(c.list_clusters()).unwrap()[0].name, "k8s-test");
    });
    check(&req, Method::Get, "/v1/clusters", None);
}

#[test]
fn endpoint_2_get_cluster() {
    let req = one_request(&fixture_text("get_cluster.response"), |c| {
        assert_eq!(block_on(c.get_cluster(NAME)).unwrap().name, "test-k8s");
    });
    check(&req, Method::Get, &format!("/v1/clusters/{ENC}"), None);
}

#[test]
fn endpoint_3_create_cluster() {
    let spec: ClusterCreate = from_json(&fixture_text("create_cluster.request")).unwrap();
    let req = one_request(&fixture_text("create_cluster.response"), |c| {
        let uuid = block_on(c.create_cluster(&spec)).unwrap().uuid;
        assert_eq!(uuid, "5801ef8a-3760-4858-b467-fc4c1201241d");
    });
    let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    check(&req, Method::Post, "/v1/clusters", Some(body.clone()));
    assert_eq!(body["cluster_template_id"], "iaas_console");
    assert_eq!(body["labels"]["cert_manager_api"], "True");
}

#[test]
fn endpoint_4_delete_cluster() {
    let client = token_client(scripted(vec![status(204, "")]));
    block_on(client.delete_cluster(NAME)).unwrap();
    let req = &client.transport().requests()[0];
    check(req, Method::Delete, &format!("/v1/clusters/{ENC}"), None);
}

#[test]
fn endpoint_5_resize() {
    let req = one_request(&fixture_text("resize.response"), |c| {
        let spec = Resize {
            nodes_to_remove: Some(vec!["593e4aee-697f-4808-aa5b-d3c8703795ff".into()]),
            ..Resize::new(NG, 2)
        };
        assert_eq!(
            block_on(c.resize(NAME, &spec)).unwrap().uuid,
            "5bac7acd-58b7-4cf5-95f5-a25d67da13a2"
        );
    });
    let body = serde_json::json!({"nodegroup": NG, "node_count": 2,
        "nodes_to_remove": ["593e4aee-697f-4808-aa5b-d3c8703795ff"]});
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/actions/resize"),
        Some(body),
    );
}

#[test]
fn endpoint_6_kubeconfig() {
    let req = one_request(&fixture_text("kubeconfig.response"), |c| {
        let yaml = block_on(c.kubeconfig(NAME)).unwrap();
        assert_eq!(yaml.expose(), fixture("kubeconfig.response")["config"]);
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/config"),
        None,
    );
}

#[test]
fn endpoint_7_list_nodegroups() {
    let req = one_request(&fixture_text("list_nodegroups.response"), |c| {
        assert_eq!(block_on(c.list_nodegroups(NAME)).unwrap().len(), 1);
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/nodegroups"),
        None,
    );
}

#[test]
fn endpoint_8_get_nodegroup() {
    let req = one_request(&fixture_text("get_nodegroup.response"), |c| {
        assert_eq!(
            block_on(c.get_nodegroup(NAME, NG)).unwrap().node_count,
            Some(2)
        );
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}"),
        None,
    );
}

#[test]
fn endpoint_9_create_nodegroup() {
    let spec: NodeGroupCreate = from_json(&fixture_text("create_nodegroup.request")).unwrap();
    let req = one_request(&fixture_text("create_nodegroup.response"), |c| {
        block_on(c.create_nodegroup(NAME, &spec)).unwrap();
    });
    let body = serde_json::json!({"name": "added-nodegroup", "node_count": 1,
        "flavor_id": "6ef27f21-c774-4c0e-84ff-7dd4a762571f",
        "image_id": "f462a2a5-ba24-46d6-b7a1-9a9febcd3cfc",
        "labels": {"availability_zone": "kr2-pub-b", "boot_volume_size": "20",
                   "boot_volume_type": "General HDD", "ca_enable": "False"}});
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups"),
        Some(body),
    );
}

#[test]
fn endpoint_10_delete_nodegroup() {
    let client = token_client(scripted(vec![status(204, "")]));
    block_on(client.delete_nodegroup(NAME, NG)).unwrap();
    let req = &client.transport().requests()[0];
    check(
        req,
        Method::Delete,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}"),
        None,
    );
}

#[test]
fn endpoint_11_get_autoscale() {
    let req = one_request(&fixture_text("get_autoscale.response"), |c| {
        assert!(block_on(c.get_autoscale(NAME, NG)).unwrap().ca_enable);
    });
    check(
        &req,
        Method::Get,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}/autoscale"),
        None,
    );
}

#[test]
fn endpoint_12_set_autoscale() {
    let settings = Autoscale {
        ca_enable: true,
        ca_min_node_count: Some(3),
        ca_max_node_count: Some(10),
        ..Autoscale::default()
    };
    let req = one_request(&fixture_text("set_autoscale.response"), |c| {
        block_on(c.set_autoscale(NAME, NG, &settings)).unwrap();
    });
    let body =
        serde_json::json!({"ca_enable": true, "ca_min_node_count": 3, "ca_max_node_count": 10});
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups/{NG_ENC}/autoscale"),
        Some(body),
    );
}

#[test]
fn endpoint_13_upgrade() {
    let req = one_request(&fixture_text("upgrade.response"), |c| {
        block_on(c.upgrade(NAME, "default-master", "v1.19.13")).unwrap();
    });
    check(
        &req,
        Method::Post,
        &format!("/v1/clusters/{ENC}/nodegroups/default-master/upgrade"),
        Some(serde_json::json!({"version": "v1.19.13"})),
    );
}

#[test]
fn endpoint_14_supported_versions() {
    let req = one_request(&fixture_text("supports.response"), |c| {
        let versions = block_on(c.supported_versions()).unwrap();
        assert_eq!(versions.get("v1.18.19"), Some(&true));
    });
    check(&req, Method::Get, "/v1/supports", None);
}

#[test]
fn region_presets_and_trailing_slashes() {
    assert_eq!(
        nks_edge::client::region_endpoint("kr2").unwrap(),
        "https://kr2-api-kubernetes-infrastructure.nhncloudservice.com"
    );
    let err = nks_edge::client::region_endpoint("us1").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("region"));
    let client = NksClient::new(
        nks_edge::Config::new(
            "http://127.0.0.1:9511/",
            nks_edge::Credentials::Token(TOKEN.into()),
        ),
        scripted(vec![ok(r#"{"clusters":[]}"#)]),
    )
    .unwrap();
    assert!(block_on(client.list_clusters()).unwrap().is_empty());
    assert_eq!(
        client.transport().requests()[0].url,
        "http://127.0.0.1:9511/v1/clusters"
    );
}
