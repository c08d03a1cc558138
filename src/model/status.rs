//! [`Status`]: Magnum's resource statuses.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A cluster's or node group's status. Values this crate does not know are kept in
/// [`Status::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Status {
    /// `CREATE_IN_PROGRESS`
    CreateInProgress,
    /// `CREATE_COMPLETE`
    CreateComplete,
    /// `CREATE_FAILED`
    CreateFailed,
    /// `UPDATE_IN_PROGRESS`
    UpdateInProgress,
    /// `UPDATE_COMPLETE`
    UpdateComplete,
    /// `UPDATE_FAILED`
    UpdateFailed,
    /// `DELETE_IN_PROGRESS`
    DeleteInProgress,
    /// `DELETE_COMPLETE`
    DeleteComplete,
    /// `DELETE_FAILED`
    DeleteFailed,
    /// Any other value, as sent.
    Other(String),
}

const NAMED: [(Status, &str); 9] = [
    (Status::CreateInProgress, "CREATE_IN_PROGRESS"),
    (Status::CreateComplete, "CREATE_COMPLETE"),
    (Status::CreateFailed, "CREATE_FAILED"),
    (Status::UpdateInProgress, "UPDATE_IN_PROGRESS"),
    (Status::UpdateComplete, "UPDATE_COMPLETE"),
    (Status::UpdateFailed, "UPDATE_FAILED"),
    (Status::DeleteInProgress, "DELETE_IN_PROGRESS"),
    (Status::DeleteComplete, "DELETE_COMPLETE"),
    (Status::DeleteFailed, "DELETE_FAILED"),
];

impl Status {
    /// The status as the API writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Other(s) => s,
            known => NAMED
                .iter()
                .find(|(s, _)| s == known)
                .map_or("", |(_, name)| name),
        }
    }

    /// Whether the resource is settled (`*_COMPLETE`): only then are updates accepted.
    pub fn is_complete(&self) -> bool {
        self.as_str().ends_with("_COMPLETE")
    }
}

impl From<String> for Status {
    fn from(value: String) -> Self {
        NAMED
            .iter()
            .find(|(_, name)| *name == value)
            .map_or(Status::Other(value), |(s, _)| s.clone())
    }
}

/// Any text: a status the reference does not list is kept as it came.
impl super::FromValue for Status {
    fn from_value(value: &serde_json::Value) -> Result<Self, crate::error::FieldError> {
        String::from_value(value).map(Status::from)
    }
}

impl From<Status> for String {
    fn from(value: Status) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        for name in ["CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "RESUME_COMPLETE"] {
            let s = Status::from(name.to_owned());
            assert_eq!(String::from(s.clone()), name);
        }
        assert_eq!(
            Status::from("CREATE_COMPLETE".to_owned()),
            Status::CreateComplete
        );
        assert_eq!(
            Status::from("RESUME_COMPLETE".to_owned()),
            Status::Other("RESUME_COMPLETE".into())
        );
        assert!(Status::Other("RESUME_COMPLETE".into()).is_complete());
        assert!(!Status::UpdateInProgress.is_complete());
    }
}
