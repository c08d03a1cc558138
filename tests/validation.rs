//! The reference's rules, checked before any request: the error names the field and
//! nothing is sent.

mod common;

use common::{block_on, fixture_text, scripted, token_client, ENDPOINT, TOKEN};
use nks_edge::model::{from_json, Autoscale, ClusterCreate, NodeGroupCreate, Resize};
use nks_edge::transport::Replay;
use nks_edge::{Config, Credentials, Error, ErrorKind, NksClient};

/// A field name and how to break a valid input for it.
type Case<T> = (&'static str, Box<dyn Fn(&mut T)>);

fn rejected<T>(client: &NksClient<Replay>, result: Result<T, Error>) -> String {
    let err = result.err().expect("validation should fail");
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(err.status, 0);
    assert!(
        client.transport().requests().is_empty(),
        "a request was sent"
    );
    let field = err.field.clone().unwrap();
    assert!(
        err.message.starts_with(&format!("{field}: ")),
        "{}",
        err.message
    );
    field
}

fn cluster() -> ClusterCreate {
    from_json(&fixture_text("create_cluster.request")).unwrap()
}

#[test]
fn cluster_create_rules() {
    let cases: Vec<Case<ClusterCreate>> = vec![
        ("name", Box::new(|s| s.name = " ".into())),
        (
            "cluster_template_id",
            Box::new(|s| s.cluster_template_id = "k8s".into()),
        ),
        ("keypair", Box::new(|s| s.keypair.clear())),
        ("node_count", Box::new(|s| s.node_count = None)),
        ("node_count", Box::new(|s| s.node_count = Some(0))),
        ("node_count", Box::new(|s| s.node_count = Some(11))),
        ("flavor_id", Box::new(|s| s.flavor_id.clear())),
        ("fixed_network", Box::new(|s| s.fixed_network.clear())),
        ("fixed_subnet", Box::new(|s| s.fixed_subnet.clear())),
        (
            "labels.node_image",
            Box::new(|s| s.labels.node_image = None),
        ),
        ("labels.kube_tag", Box::new(|s| s.labels.kube_tag = None)),
        (
            "labels.availability_zone",
            Box::new(|s| s.labels.availability_zone = None),
        ),
        (
            "labels.boot_volume_type",
            Box::new(|s| s.labels.boot_volume_type = None),
        ),
        (
            "labels.boot_volume_size",
            Box::new(|s| s.labels.boot_volume_size = None),
        ),
        ("labels.ca_enable", Box::new(|s| s.labels.ca_enable = None)),
        (
            "labels.cert_manager_api",
            Box::new(|s| s.labels.cert_manager_api = Some(false)),
        ),
        (
            "labels.cert_manager_api",
            Box::new(|s| s.labels.cert_manager_api = None),
        ),
        (
            "labels.master_lb_floating_ip_enabled",
            Box::new(|s| s.labels.master_lb_floating_ip_enabled = None),
        ),
        (
            "labels.master_lb_floating_ip_enabled",
            Box::new(|s| s.labels.external_network_id = None),
        ),
        (
            "labels.master_lb_floating_ip_enabled",
            Box::new(|s| s.labels.external_subnet_id_list = Some(String::new())),
        ),
        (
            "labels.ca_min_node_count",
            Box::new(|s| {
                s.labels.ca_min_node_count = Some(5);
                s.labels.ca_max_node_count = Some(4);
            }),
        ),
        (
            "labels.ca_max_node_count",
            Box::new(|s| s.labels.ca_max_node_count = Some(11)),
        ),
    ];
    for (field, break_it) in cases {
        let mut spec = cluster();
        break_it(&mut spec);
        let client = token_client(scripted(vec![]));
        assert_eq!(
            rejected(&client, block_on(client.create_cluster(&spec))),
            field
        );
    }
    // Without the floating IP, no external network is needed.
    let mut spec = cluster();
    spec.labels.master_lb_floating_ip_enabled = Some(false);
    spec.labels.external_network_id = None;
    spec.labels.external_subnet_id_list = None;
    let client = token_client(scripted(vec![common::ok(r#"{"uuid":"u"}"#)]));
    block_on(client.create_cluster(&spec)).unwrap();
}

#[test]
fn resize_bounds_and_raised_quota() {
    let client = token_client(scripted(vec![]));
    assert_eq!(
        rejected(&client, block_on(client.resize("c", &Resize::new("ng", 0)))),
        "node_count"
    );
    assert_eq!(
        rejected(
            &client,
            block_on(client.resize("c", &Resize::new("ng", 11)))
        ),
        "node_count"
    );
    assert_eq!(
        rejected(&client, block_on(client.resize("c", &Resize::new("", 3)))),
        "nodegroup"
    );
    assert_eq!(
        rejected(&client, block_on(client.resize("", &Resize::new("ng", 3)))),
        "cluster"
    );
    assert_eq!(
        rejected(
            &client,
            block_on(client.resize("..", &Resize::new("ng", 3)))
        ),
        "cluster"
    );

    let mut config = Config::new(ENDPOINT, Credentials::Token(TOKEN.into()));
    config.max_node_count = 20;
    let raised = NksClient::new(config, scripted(vec![common::ok(r#"{"uuid":"u"}"#)])).unwrap();
    block_on(raised.resize("c", &Resize::new("ng", 15))).unwrap();
    assert_eq!(raised.transport().requests().len(), 1);
}

#[test]
fn nodegroup_create_rules() {
    let base: NodeGroupCreate = from_json(&fixture_text("create_nodegroup.request")).unwrap();
    let cases: Vec<Case<NodeGroupCreate>> = vec![
        ("name", Box::new(|s| s.name.clear())),
        ("flavor_id", Box::new(|s| s.flavor_id.clear())),
        ("image_id", Box::new(|s| s.image_id.clear())),
        ("node_count", Box::new(|s| s.node_count = Some(0))),
        (
            "labels.availability_zone",
            Box::new(|s| s.labels.availability_zone = None),
        ),
        (
            "labels.boot_volume_type",
            Box::new(|s| s.labels.boot_volume_type = None),
        ),
        (
            "labels.boot_volume_size",
            Box::new(|s| s.labels.boot_volume_size = None),
        ),
        ("labels.ca_enable", Box::new(|s| s.labels.ca_enable = None)),
    ];
    for (field, break_it) in cases {
        let mut spec = base.clone();
        break_it(&mut spec);
        let client = token_client(scripted(vec![]));
        assert_eq!(
            rejected(&client, block_on(client.create_nodegroup("c", &spec))),
            field
        );
    }
}

#[test]
fn autoscale_and_upgrade_rules() {
    let client = token_client(scripted(vec![]));
    let inverted = Autoscale {
        ca_enable: true,
        ca_min_node_count: Some(4),
        ca_max_node_count: Some(3),
        ..Autoscale::default()
    };
    assert_eq!(
        rejected(
            &client,
            block_on(client.set_autoscale("c", "ng", &inverted))
        ),
        "ca_min_node_count"
    );
    let too_many = Autoscale {
        ca_enable: true,
        ca_max_node_count: Some(11),
        ..Autoscale::default()
    };
    assert_eq!(
        rejected(
            &client,
            block_on(client.set_autoscale("c", "ng", &too_many))
        ),
        "ca_max_node_count"
    );
    assert_eq!(
        rejected(&client, block_on(client.upgrade("c", "ng", " "))),
        "version"
    );
    assert_eq!(
        rejected(&client, block_on(client.get_nodegroup("c", ""))),
        "nodegroup"
    );
}
