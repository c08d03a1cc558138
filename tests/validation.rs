//! The reference's rules, checked before any request: the error names the field and
//! nothing is sent.

mod common;

use common::{block_on, fixture_text, scripted, token_client, ENDPOINT, TOKEN};
use nks_edge::model::{
    from_json, AddonInstall, AddonSpec, AddonUpdate, Autoscale, CertificateRenewal, ClusterCreate,
    ControlPlaneLog, FipAutoBind, FlavorChange, IpAcl, IpAclTarget, MetricAutoscale, MetricPolicy,
    MetricRule, NodeGroupCreate, Resize, Rollout, ServiceGateways, Upgrade,
};
use nks_edge::transport::Replay;
use nks_edge::{Config, Credentials, Error, ErrorKind, NksClient};
use std::collections::BTreeMap;

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

// ---- The current guide's rules ----

/// Breaks a valid input in each listed way (the error must name the field and send
/// nothing), and checks the valid input itself is sent.
fn cases<T: Clone>(
    valid: T,
    send: impl Fn(&NksClient<Replay>, &T) -> Result<(), Error>,
    cases: Vec<Case<T>>,
) {
    for (field, break_it) in cases {
        let client = token_client(scripted(vec![]));
        let mut input = valid.clone();
        break_it(&mut input);
        assert_eq!(rejected(&client, send(&client, &input)), field);
    }
    let client = token_client(scripted(vec![common::ok(UUID_ANSWER)]));
    send(&client, &valid).expect("the valid input is sent");
    assert_eq!(client.transport().requests().len(), 1);
}

const UUID_ANSWER: &str = r#"{"uuid": "6c1284e2-8ead-46a7-ace9-c19d6eec76b3"}"#;

fn target(cidr: &str) -> IpAclTarget {
    IpAclTarget {
        cidr_address: cidr.into(),
        description: None,
    }
}

#[test]
fn ip_acl_rules() {
    let valid = IpAcl {
        enable: true,
        action: Some("DENY".into()),
        ipacl_targets: Some(vec![target("10.0.0.1"), target("192.168.0.0/16")]),
        ..IpAcl::default()
    };
    cases(
        valid,
        |c, acl| block_on(c.set_ip_acl("c", acl)).map(drop),
        vec![
            ("action", Box::new(|a| a.action = Some("PERMIT".into()))),
            // Sent as given, and the API reads it exactly.
            ("action", Box::new(|a| a.action = Some("Deny ".into()))),
            ("action", Box::new(|a| a.action = Some("allow".into()))),
            ("action", Box::new(|a| a.action = None)),
            ("ipacl_targets", Box::new(|a| a.ipacl_targets = None)),
            (
                "ipacl_targets",
                Box::new(|a| a.ipacl_targets = Some(vec![])),
            ),
            (
                "ipacl_targets",
                Box::new(|a| a.ipacl_targets = Some(vec![target("10.0.0.1"); 101])),
            ),
            (
                "ipacl_targets[1].cidr_address",
                Box::new(|a| {
                    a.ipacl_targets = Some(vec![target("10.0.0.1"), target("10.0.0.0/33")])
                }),
            ),
            (
                "ipacl_targets[0].cidr_address",
                Box::new(|a| a.ipacl_targets = Some(vec![target("10.0.0.256")])),
            ),
            (
                "ipacl_targets[0].cidr_address",
                Box::new(|a| a.ipacl_targets = Some(vec![target("example.com")])),
            ),
            (
                "ipacl_targets[0].cidr_address",
                Box::new(|a| a.ipacl_targets = Some(vec![target("10.0.0.0/+24")])),
            ),
            (
                "ipacl_targets[0].cidr_address",
                Box::new(|a| a.ipacl_targets = Some(vec![target("10.0.0.0/024")])),
            ),
            (
                "ipacl_targets[0].cidr_address",
                Box::new(|a| a.ipacl_targets = Some(vec![target(" 10.0.0.1 ")])),
            ),
        ],
    );
    // Off needs neither action nor targets, and the API ignores them: so does the
    // client (a target read back from getIpAcl may not parse); 100 targets are fine.
    let client = token_client(scripted(vec![
        common::ok(UUID_ANSWER),
        common::ok(UUID_ANSWER),
    ]));
    block_on(client.set_ip_acl("c", &IpAcl::default())).unwrap();
    let off = IpAcl {
        enable: false,
        action: Some("allow-all".into()),
        ipacl_targets: Some(vec![target("010.0.0.1"); 101]),
        ..IpAcl::default()
    };
    let client = token_client(scripted(vec![common::ok(UUID_ANSWER)]));
    block_on(client.set_ip_acl("c", &off)).unwrap();
    let client = token_client(scripted(vec![
        common::ok(UUID_ANSWER),
        common::ok(UUID_ANSWER),
    ]));
    let hundred = IpAcl {
        enable: true,
        action: Some("ALLOW".into()),
        ipacl_targets: Some(vec![target("10.0.0.1/32"); 100]),
        ..IpAcl::default()
    };
    block_on(client.set_ip_acl("c", &hundred)).unwrap();
}

#[test]
fn certificate_gateway_and_log_rules() {
    for (years, ok) in [(0, false), (1, true), (5, true), (6, false)] {
        let client = token_client(scripted(vec![common::ok(UUID_ANSWER)]));
        let spec = CertificateRenewal {
            term_of_validity: years,
        };
        let result = block_on(client.renew_certificates("c", &spec));
        if ok {
            result.unwrap();
        } else {
            assert_eq!(rejected(&client, result), "term_of_validity");
        }
    }
    cases(
        ServiceGateways {
            ncr_sgw: "n".into(),
            obs_sgw: "o".into(),
        },
        |c, s| block_on(c.update_service_gateways("c", s)).map(drop),
        vec![
            ("ncr_sgw", Box::new(|s| s.ncr_sgw.clear())),
            ("obs_sgw", Box::new(|s| s.obs_sgw = " ".into())),
        ],
    );
    let lncs = ControlPlaneLog {
        enable: true,
        kind: Some("lncs".into()),
        sgw: Some("s".into()),
        upload_interval: Some(60),
        lncs_appkey: Some("k".into()),
        ..ControlPlaneLog::default()
    };
    cases(
        lncs,
        |c, l| block_on(c.set_control_plane_log("c", l)).map(drop),
        vec![
            (
                "control_plane_log.upload_interval",
                Box::new(|l| l.upload_interval = Some(0)),
            ),
            (
                "control_plane_log.upload_interval",
                Box::new(|l| l.upload_interval = Some(61)),
            ),
            ("control_plane_log.type", Box::new(|l| l.kind = None)),
            (
                "control_plane_log.type",
                Box::new(|l| l.kind = Some("s3".into())),
            ),
            ("control_plane_log.sgw", Box::new(|l| l.sgw = None)),
            (
                "control_plane_log.lncs_appkey",
                Box::new(|l| l.lncs_appkey = None),
            ),
            (
                "control_plane_log.obs_api_url",
                Box::new(|l| l.kind = Some("obs".into())),
            ),
            (
                "control_plane_log.obs_store_as",
                Box::new(|l| l.obs_store_as = Some("zip".into())),
            ),
            (
                "control_plane_log.obs_store_as",
                Box::new(|l| l.obs_store_as = Some("GZIP".into())),
            ),
            (
                "control_plane_log.type",
                Box::new(|l| l.kind = Some("LNCS".into())),
            ),
        ],
    );
}

#[test]
fn node_list_rules() {
    let valid = vec!["n-1".to_owned(), "n-2".to_owned()];
    cases(
        valid,
        |c, nodes| block_on(c.stop_nodes("c", "g", nodes)).map(drop),
        vec![
            ("node_list", Box::new(|n| n.clear())),
            ("node_list[1]", Box::new(|n| n[1] = " ".into())),
            ("node_list[0]", Box::new(|n| n[0] = "a:b".into())),
        ],
    );
    let client = token_client(scripted(vec![]));
    assert_eq!(
        rejected(&client, block_on(client.start_nodes("c", "g", &[]))),
        "node_list"
    );
}

fn metric_on() -> MetricAutoscale {
    from_json(
        r#"{"mba_scale_out": {"enable": "True", "max_node_count": 6, "rules_operator": "or",
             "delay": 60, "adjustment_count": 10,
             "rules": [{"metric": "GROUP_CPU_USAGE", "threshold": 80, "duration": 2}]},
            "mba_scale_in": {"enable": "True", "min_node_count": 2, "rules_operator": "AND",
             "delay": 1, "adjustment_count": 1,
             "rules": [{"metric": "GROUP_NETWORK_RECV_BYTES", "threshold": 5, "duration": 60}]}}"#,
    )
    .unwrap()
}

fn out(m: &mut MetricAutoscale) -> &mut MetricPolicy {
    m.mba_scale_out.as_mut().unwrap()
}

fn rule(m: &mut MetricAutoscale) -> &mut MetricRule {
    &mut out(m).rules.as_mut().unwrap()[0]
}

#[test]
fn metric_autoscale_rules() {
    cases(
        metric_on(),
        |c, m| block_on(c.set_metric_autoscale("c", "g", m)).map(drop),
        vec![
            ("mba_scale_out.delay", Box::new(|m| out(m).delay = Some(0))),
            ("mba_scale_out.delay", Box::new(|m| out(m).delay = Some(61))),
            (
                "mba_scale_out.adjustment_count",
                Box::new(|m| out(m).adjustment_count = Some(11)),
            ),
            (
                "mba_scale_in.adjustment_count",
                Box::new(|m| m.mba_scale_in.as_mut().unwrap().adjustment_count = Some(0)),
            ),
            (
                "mba_scale_out.rules_operator",
                Box::new(|m| out(m).rules_operator = Some("XOR".into())),
            ),
            ("mba_scale_out.rules", Box::new(|m| out(m).rules = None)),
            (
                "mba_scale_out.rules[0].metric",
                Box::new(|m| rule(m).metric = "CPU".into()),
            ),
            (
                "mba_scale_out.rules[0].duration",
                Box::new(|m| rule(m).duration = Some(1)),
            ),
            (
                "mba_scale_out.rules[0].duration",
                Box::new(|m| rule(m).duration = Some(61)),
            ),
            (
                "mba_scale_out.rules[0].threshold",
                Box::new(|m| rule(m).threshold = None),
            ),
            (
                "mba_scale_out",
                Box::new(|m| *m = MetricAutoscale::default()),
            ),
            // Within 1 and the client's max_node_count (10), as every node bound.
            (
                "mba_scale_out.max_node_count",
                Box::new(|m| out(m).max_node_count = Some(0)),
            ),
            (
                "mba_scale_out.max_node_count",
                Box::new(|m| out(m).max_node_count = Some(50)),
            ),
            (
                "mba_scale_in.min_node_count",
                Box::new(|m| m.mba_scale_in.as_mut().unwrap().min_node_count = Some(0)),
            ),
        ],
    );
    // Off needs no rules.
    let off: MetricAutoscale =
        from_json(r#"{"mba_scale_out": {"enable": false}, "mba_scale_in": {"enable": false}}"#)
            .unwrap();
    let client = token_client(scripted(vec![common::ok(UUID_ANSWER)]));
    block_on(client.set_metric_autoscale("c", "g", &off)).unwrap();
}

#[test]
fn node_labels_flavor_fip_and_upgrade_rules() {
    let labels = |n: usize| -> BTreeMap<String, String> {
        (0..n).map(|i| (format!("k{i}"), "v".to_owned())).collect()
    };
    cases(
        labels(20),
        |c, l| block_on(c.set_node_labels("c", "g", l)).map(drop),
        vec![
            ("k8s_node_labels", Box::new(move |l| *l = labels(21))),
            (
                "k8s_node_labels",
                Box::new(|l| {
                    l.insert(String::new(), "v".into());
                    l.remove("k0");
                }),
            ),
            // The API joins pairs with `=` and `,`; Kubernetes' own syntax refuses more.
            (
                "k8s_node_labels.a=b",
                Box::new(|l| {
                    l.remove("k0");
                    l.insert("a=b".into(), "v".into());
                }),
            ),
            (
                "k8s_node_labels.k0",
                Box::new(|l| {
                    l.insert("k0".into(), "x,y".into());
                }),
            ),
            (
                "k8s_node_labels.has space",
                Box::new(|l| {
                    l.remove("k0");
                    l.insert("has space".into(), "v".into());
                }),
            ),
            (
                "k8s_node_labels.k0",
                Box::new(|l| {
                    l.insert("k0".into(), "v".repeat(64));
                }),
            ),
        ],
    );
    // Prefixed keys and empty values are Kubernetes labels too.
    let client = token_client(scripted(vec![common::ok(UUID_ANSWER)]));
    let fine = BTreeMap::from([
        ("example.com/tier".to_owned(), "web_1.a-b".to_owned()),
        ("gpu".to_owned(), String::new()),
    ]);
    block_on(client.set_node_labels("c", "g", &fine)).unwrap();
    cases(
        FlavorChange {
            flavor_id: "f".into(),
            rollout: Rollout {
                num_buffer_nodes: Some(0),
                num_max_unavailable_nodes: Some(1),
            },
        },
        |c, f| block_on(c.change_flavor("c", "g", f)).map(drop),
        vec![
            ("flavor_id", Box::new(|f| f.flavor_id.clear())),
            (
                "num_max_unavailable_nodes",
                Box::new(|f| f.rollout.num_max_unavailable_nodes = Some(0)),
            ),
        ],
    );
    cases(
        FipAutoBind {
            fip_auto_bind_enable: true,
            fip_bind_subnet: Some("s".into()),
            fip_selector: None,
        },
        |c, f| block_on(c.set_floating_ip_auto_bind("c", "g", f)).map(drop),
        vec![(
            "fip_auto_bind_update_info.fip_bind_subnet",
            Box::new(|f| f.fip_bind_subnet = None),
        )],
    );
    cases(
        Upgrade {
            version: "v1.31.4".into(),
            rollout: Rollout::default(),
        },
        |c, u| block_on(c.upgrade_with("c", "g", u)).map(drop),
        vec![
            ("version", Box::new(|u| u.version.clear())),
            (
                "num_max_unavailable_nodes",
                Box::new(|u| u.rollout.num_max_unavailable_nodes = Some(0)),
            ),
        ],
    );
}

#[test]
fn addon_rules() {
    cases(
        AddonInstall {
            name: "coredns".into(),
            version: "1.8.4-nks1".into(),
            resolve_conflicts: "none".into(),
            options: None,
        },
        |c, a| block_on(c.install_addon("c", a)).map(drop),
        vec![
            ("name", Box::new(|a| a.name.clear())),
            ("version", Box::new(|a| a.version.clear())),
            (
                "resolve_conflicts",
                Box::new(|a| a.resolve_conflicts.clear()),
            ),
            (
                "resolve_conflicts",
                Box::new(|a| a.resolve_conflicts = "replace".into()),
            ),
        ],
    );
    cases(
        AddonUpdate {
            version: "1.8.5-nks1".into(),
            resolve_conflicts: "preserve".into(),
            options: None,
        },
        |c, a| block_on(c.update_addon("c", "coredns", a)).map(drop),
        vec![
            ("version", Box::new(|a| a.version.clear())),
            (
                "resolve_conflicts",
                Box::new(|a| a.resolve_conflicts.clear()),
            ),
        ],
    );
}

#[test]
fn cluster_network_and_addon_rules() {
    let mut valid = cluster();
    valid.labels.pods_network_cidr = Some("10.100.0.0/22".into());
    valid.labels.pods_network_subnet = Some(24);
    valid.labels.service_cluster_ip_range = Some("10.254.0.0/16".into());
    valid.addons = Some(vec![AddonSpec {
        name: "calico".into(),
        version: "v3.28.2-nks1".into(),
        options: None,
    }]);
    let pods = |s: &mut ClusterCreate, v: &str| s.labels.pods_network_cidr = Some(v.into());
    let service =
        |s: &mut ClusterCreate, v: &str| s.labels.service_cluster_ip_range = Some(v.into());
    cases(
        valid,
        |c, s| block_on(c.create_cluster(s)).map(drop),
        vec![
            (
                "labels.pods_network_cidr",
                Box::new(move |s| pods(s, "10.100.0.0")),
            ),
            (
                "labels.pods_network_cidr",
                Box::new(move |s| pods(s, "10.100.0.0/26")),
            ),
            (
                "labels.pods_network_cidr",
                Box::new(move |s| pods(s, "169.254.0.0/20")),
            ),
            (
                "labels.pods_network_cidr",
                Box::new(move |s| pods(s, "198.18.16.0/20")),
            ),
            (
                "labels.service_cluster_ip_range",
                Box::new(move |s| service(s, "169.0.0.0/8")),
            ),
            (
                "labels.service_cluster_ip_range",
                Box::new(move |s| service(s, "10.100.2.0/24")),
            ),
            (
                "labels.service_cluster_ip_range",
                Box::new(move |s| service(s, "10.0.0.0/8")),
            ),
            (
                "labels.pods_network_subnet",
                Box::new(|s| s.labels.pods_network_subnet = Some(19)),
            ),
            (
                "labels.pods_network_subnet",
                Box::new(|s| s.labels.pods_network_subnet = Some(29)),
            ),
            (
                "labels.pods_network_subnet",
                Box::new(move |s| {
                    pods(s, "10.100.0.0/23");
                }),
            ),
            (
                "addons[0].version",
                Box::new(|s| s.addons.as_mut().unwrap()[0].version.clear()),
            ),
        ],
    );
}

/// A request object read from JSON (every JavaScript call) refuses a field it does not
/// know, naming it: a misspelt one used to be dropped, and the write went out without it.
#[test]
fn a_misspelt_request_field_is_refused_not_dropped() {
    for (json, want) in [
        (
            r#"{"mba_scale_out": {"enable": true, "max_node_cnt": 6}}"#,
            r#"mba_scale_out.max_node_cnt: unknown field (did you mean "max_node_count"?)"#,
        ),
        (
            r#"{"version": "v1.31.4", "num_buffer_node": 0}"#,
            r#"num_buffer_node: unknown field (did you mean "num_buffer_nodes"?)"#,
        ),
    ] {
        let error = if json.contains("mba") {
            from_json::<MetricAutoscale>(json).map(drop)
        } else {
            from_json::<Upgrade>(json).map(drop)
        }
        .unwrap_err();
        assert_eq!(error.to_string(), want);
    }
}

/// The create request's labels go out in the forms its table documents: counts as
/// strings (`boot_volume_size`), except `pods_network_subnet`, an Integer.
#[test]
fn create_labels_go_out_in_their_documented_forms() {
    let mut spec = cluster();
    spec.labels.pods_network_cidr = Some("10.100.0.0/22".into());
    spec.labels.pods_network_subnet = Some(24);
    spec.labels.boot_volume_size = Some(20);
    let client = token_client(scripted(vec![common::ok(UUID_ANSWER)]));
    block_on(client.create_cluster(&spec)).unwrap();
    let sent = client.transport().requests();
    let body: serde_json::Value = serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["labels"]["pods_network_subnet"], serde_json::json!(24));
    assert_eq!(body["labels"]["boot_volume_size"], serde_json::json!("20"));
}
