//! Who is acting: roles, scopes and password hashing.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A user's role (DESIGN.md "Domain model").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages districts, organizations, users and workflows; may do everything.
    Admin,
    /// Runs the project office of one district.
    Coordinator,
    /// Heads one organization (a school, kindergarten, centre, methodical service).
    Director,
    /// Reads one district, or every district when it has none; changes nothing.
    Observer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Director => "director",
            Role::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "director" => Some(Role::Director),
            "observer" => Some(Role::Observer),
            _ => None,
        }
    }

    /// The role's Russian name.
    pub fn title(self) -> &'static str {
        match self {
            Role::Admin => "администратор",
            Role::Coordinator => "координатор",
            Role::Director => "руководитель организации",
            Role::Observer => "наблюдатель",
        }
    }
}

/// The authenticated caller of an engine service, with the scope of their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    /// The coordinator's or observer's district; a director's organization's district.
    pub district_id: Option<i64>,
    /// The director's organization.
    pub organization_id: Option<i64>,
}

impl Actor {
    /// The system itself (migrations, the scheduler, the CLI): acts as an administrator and
    /// is recorded in history without a user.
    pub const SYSTEM: Actor = Actor {
        user_id: 0,
        role: Role::Admin,
        district_id: None,
        organization_id: None,
    };

    pub fn is_system(&self) -> bool {
        self.user_id == 0
    }

    /// The user id to record in history, `None` for the system.
    pub fn recorded_id(&self) -> Option<i64> {
        (!self.is_system()).then_some(self.user_id)
    }
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored PHC hash; a malformed hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("Точка-роста-2025").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Точка-роста-2025", &hash));
        assert!(!verify_password("точка-роста-2025", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
