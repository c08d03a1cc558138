//! Add-ons: the catalogue (types and add-ons) and a cluster's installed add-ons.

use super::{listed, whole, Call, GET_ADDON, GET_ADDON_TYPE, GET_CLUSTER_ADDON, INSTALL_ADDON};
use super::{LIST_ADDONS, LIST_ADDON_TYPES, LIST_CLUSTER_ADDONS, UNINSTALL_ADDON, UPDATE_ADDON};
use crate::error::Error;
use crate::model::UuidResponse;
use crate::model::{Addon, AddonInstall, AddonType, AddonUpdate, InstalledAddon};
use crate::validate;

whole!(AddonType, Addon, InstalledAddon);
listed!(AddonType: addon_types, Addon: addons, InstalledAddon: addons);

/// `GET /v1/addon_types/`.
pub fn list_addon_types() -> Result<Call<Vec<AddonType>>, Error> {
    Call::new(&LIST_ADDON_TYPES, &[])
}

/// `GET /v1/addon_types/{ADDON_TYPE_UUID_OR_NAME}`.
pub fn get_addon_type(addon_type: &str) -> Result<Call<AddonType>, Error> {
    Call::new(&GET_ADDON_TYPE, &[addon_type])
}

/// `GET /v1/addons/`: the catalogue.
pub fn list_addons() -> Result<Call<Vec<Addon>>, Error> {
    Call::new(&LIST_ADDONS, &[])
}

/// `GET /v1/addons/{ADDON_UUID}`.
pub fn get_addon(addon: &str) -> Result<Call<Addon>, Error> {
    Call::new(&GET_ADDON, &[addon])
}

/// `GET /v1/clusters/{C}/addons/`.
pub fn list_cluster_addons(cluster: &str) -> Result<Call<Vec<InstalledAddon>>, Error> {
    Call::new(&LIST_CLUSTER_ADDONS, &[cluster])
}

/// `GET /v1/clusters/{C}/addons/{ADDON_UUID_OR_NAME}`.
pub fn get_cluster_addon(cluster: &str, addon: &str) -> Result<Call<InstalledAddon>, Error> {
    Call::new(&GET_CLUSTER_ADDON, &[cluster, addon])
}

/// `POST /v1/clusters/{C}/addons/`: answers the cluster's UUID.
pub fn install_addon(cluster: &str, spec: &AddonInstall) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&INSTALL_ADDON, &[cluster])?;
    validate::addon_install(spec)?;
    call.with_body(spec)
}

/// `PATCH /v1/clusters/{C}/addons/{ADDON_UUID_OR_NAME}`: answers the cluster's UUID.
pub fn update_addon(
    cluster: &str,
    addon: &str,
    spec: &AddonUpdate,
) -> Result<Call<UuidResponse>, Error> {
    let call = Call::new(&UPDATE_ADDON, &[cluster, addon])?;
    validate::addon_update(spec)?;
    call.with_body(spec)
}

/// `DELETE /v1/clusters/{C}/addons/{ADDON_UUID_OR_NAME}`: answers the cluster's UUID.
pub fn uninstall_addon(cluster: &str, addon: &str) -> Result<Call<UuidResponse>, Error> {
    Call::new(&UNINSTALL_ADDON, &[cluster, addon])
}
