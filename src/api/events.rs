//! A cluster's task history. Both paths take the cluster's UUID (not its name):
//! [`crate::NksClient::list_events`] resolves a name first.

use super::{listed, whole, Call};
use super::{GET_EVENT, LIST_EVENTS};
use crate::error::Error;
use crate::model::Event;

whole!(Event);
listed!(Event: events);

/// `GET /v1/clusters/{CLUSTER_UUID}/events`.
pub fn list_events(cluster_uuid: &str) -> Result<Call<Vec<Event>>, Error> {
    Call::new(&LIST_EVENTS, &[cluster_uuid])
}

/// `GET /v1/clusters/{CLUSTER_UUID}/events/{EVENT_UUID}`.
pub fn get_event(cluster_uuid: &str, event: &str) -> Result<Call<Event>, Error> {
    Call::new(&GET_EVENT, &[cluster_uuid, event])
}
