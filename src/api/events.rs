//! A cluster's task history. Both paths take the cluster's UUID (not its name):
//! [`crate::NksClient::list_events`] resolves a name first.

use super::Call;
use super::{GET_EVENT, LIST_EVENTS};
use crate::error::Error;
use crate::model::{from_json, Event};
use serde::Deserialize;

#[derive(Deserialize)]
struct EventList {
    events: Vec<Event>,
}

/// `GET /v1/clusters/{CLUSTER_UUID}/events`.
pub fn list_events(cluster_uuid: &str) -> Result<Call<Vec<Event>>, Error> {
    Call::new(&LIST_EVENTS, &[cluster_uuid], |body| {
        from_json::<EventList>(body).map(|l| l.events)
    })
}

/// `GET /v1/clusters/{CLUSTER_UUID}/events/{EVENT_UUID}`.
pub fn get_event(cluster_uuid: &str, event: &str) -> Result<Call<Event>, Error> {
    Call::new(&GET_EVENT, &[cluster_uuid, event], from_json)
}
