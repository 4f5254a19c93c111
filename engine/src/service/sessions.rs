//! Signing in and out: opaque bearer tokens, stored hashed, with an expiry.
//!
//! A token is 32 random bytes, hex-encoded with a `po_` prefix; the database keeps only its
//! SHA-256, so a leaked database does not leak sessions. Passwords are argon2id hashes.
//! Consecutive failed sign-ins of an account slow it down: after [`FREE_ATTEMPTS`]
//! failures, the next attempt must wait 2, 4, 8… seconds (at most [`MAX_DELAY_SECS`]) after
//! the last failure — kept in the database, so every replica enforces it. An unknown address
//! costs the same argon2 work as a known one and gets the same message.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use sha2::{Digest, Sha256};

use super::Engine;
use super::directory::normalize_email;
use crate::auth::{Actor, verify_password};
use crate::error::{Error, Field, Result};
use crate::model::User;
use crate::store::entity::{sessions, users};

/// Failures allowed before sign-in slows down.
pub const FREE_ATTEMPTS: i32 = 5;
/// The longest wait between attempts.
pub const MAX_DELAY_SECS: i64 = 15 * 60;

/// A hash no password matches, verified for unknown addresses so they take as long.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3oFzBq9o9xWG6c3c8o2oVQm3o2k7kQ3YFQGmNqj0k0s";

/// A signed-in session.
#[derive(Clone)]
pub struct Session {
    /// The bearer token: shown to the client once, never stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

pub(super) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_token() -> String {
    random_token("po_")
}

/// 32 random bytes, hex-encoded after `prefix`.
pub(super) fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!(
        "{prefix}{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// How long an account must still wait before the next attempt, if at all.
fn throttle_wait(failed: i32, last_failure: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    let last = last_failure?;
    if failed < FREE_ATTEMPTS {
        return None;
    }
    let exponent = std::cmp::min(failed - FREE_ATTEMPTS + 1, 20) as u32;
    let delay = Duration::seconds(std::cmp::min(1i64 << exponent, MAX_DELAY_SECS));
    let until = last + delay;
    (until > now).then(|| until - now)
}

const BAD_CREDENTIALS: &str = "Неверный адрес почты или пароль.";

impl Engine {
    /// Signs in with an email and password; returns a new session.
    #[tracing::instrument(skip(self, password), err(level = "info"))]
    pub async fn login(&self, email: &str, password: &str) -> Result<Session> {
        let now = self.now();
        let email = normalize_email(email, Field::Email).map_err(|_| Error::Unauthenticated(BAD_CREDENTIALS.into()))?;
        let Some(row) = users::Entity::find()
            .filter(users::Column::Email.eq(&email))
            .one(&self.db)
            .await?
        else {
            let _ = verify_password(password, DUMMY_HASH);
            return Err(Error::Unauthenticated(BAD_CREDENTIALS.into()));
        };
        if let Some(wait) = throttle_wait(row.failed_logins, row.last_failed_login_at, now) {
            return Err(Error::Unauthenticated(format!(
                "Слишком много неудачных попыток входа. Повторите через {} с.",
                std::cmp::max(wait.num_seconds(), 1)
            )));
        }
        let hash = row.password_hash.clone().unwrap_or_else(|| DUMMY_HASH.to_string());
        let verified = tokio::task::spawn_blocking({
            let password = password.to_string();
            move || verify_password(&password, &hash)
        })
        .await
        .map_err(|e| Error::Internal(format!("password check: {e}")))?;
        if !verified || !row.active {
            users::Entity::update_many()
                .col_expr(
                    users::Column::FailedLogins,
                    Expr::col(users::Column::FailedLogins).add(1),
                )
                .col_expr(users::Column::LastFailedLoginAt, Expr::value(Some(now)))
                .filter(users::Column::Id.eq(row.id))
                .exec(&self.db)
                .await?;
            tracing::info!(user = row.id, failed = row.failed_logins + 1, "failed sign-in");
            return Err(Error::Unauthenticated(BAD_CREDENTIALS.into()));
        }
        if row.failed_logins != 0 {
            users::Entity::update_many()
                .col_expr(users::Column::FailedLogins, Expr::value(0))
                .filter(users::Column::Id.eq(row.id))
                .exec(&self.db)
                .await?;
        }
        self.start_session(row).await
    }

    /// A new session of a user who has proved who they are (a password, a link from a letter).
    pub(super) async fn start_session(&self, row: users::Model) -> Result<Session> {
        let now = self.now();
        let token = new_token();
        let expires_at = now + self.session_ttl;
        sessions::ActiveModel {
            user_id: Set(row.id),
            token_hash: Set(token_hash(&token)),
            created_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(Session {
            token,
            expires_at,
            user: User::try_from(row)?,
        })
    }

    /// The user a bearer token belongs to, if the session is current.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        let expired = || Error::Unauthenticated("Сеанс завершён или устарел: войдите снова.".into());
        let session = sessions::Entity::find()
            .filter(sessions::Column::TokenHash.eq(token_hash(token)))
            .one(&self.db)
            .await?
            .ok_or_else(expired)?;
        if session.revoked_at.is_some() || session.expires_at <= self.now() {
            return Err(expired());
        }
        self.actor_for_user(session.user_id).await.map_err(|e| match e {
            Error::NotFound { .. } | Error::Forbidden(_) => expired(),
            other => other,
        })
    }

    /// Changes the signed-in person's password: the current one must be right, the new one
    /// long enough and hard to guess ([`crate::password::problem`]). Every other session of
    /// theirs ends (a leaked password stops working everywhere at once); the one of `token`,
    /// from which they changed it, goes on.
    #[tracing::instrument(skip_all, fields(user = actor.user_id), err(level = "info"))]
    pub async fn change_password(&self, actor: &Actor, token: &str, current: &str, new: &str) -> Result<()> {
        let row = users::Entity::find_by_id(actor.user_id)
            .one(&self.db)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::Unauthenticated("Сеанс завершён или устарел: войдите снова.".into()))?;
        let verified = row
            .password_hash
            .as_deref()
            .is_some_and(|hash| crate::auth::verify_password(current, hash));
        if !verified {
            return Err(Error::validation(
                Field::CurrentPassword,
                "Текущий пароль введён неверно.",
            ));
        }
        if current == new {
            return Err(Error::validation(
                Field::Password,
                "Новый пароль совпадает с текущим: придумайте другой.",
            ));
        }
        if let Some(problem) = crate::password::problem(new, &[&row.full_name, &row.email]) {
            return Err(Error::validation(Field::Password, problem));
        }
        let hash = crate::auth::hash_password(new)?;
        let now = self.now();
        let txn = self.db.begin().await?;
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(Some(hash)))
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .filter(users::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        end_sessions(&txn, row.id, Some(token), now).await?;
        super::accounts::record(
            &txn,
            row.id,
            Some(row.id),
            now,
            super::accounts::AccountDetails::PasswordChanged,
        )
        .await?;
        txn.commit().await?;
        self.session_ended();
        tracing::info!(user = row.id, "password changed");
        Ok(())
    }

    /// Ends the session of a token. Ending an already ended session is not an error.
    pub async fn logout(&self, token: &str) -> Result<()> {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(Some(self.now())))
            .filter(sessions::Column::TokenHash.eq(token_hash(token)))
            .filter(sessions::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        self.session_ended();
        Ok(())
    }

    /// The signed-in user.
    pub async fn me(&self, actor: &Actor) -> Result<User> {
        let row = users::Entity::find_by_id(actor.user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("пользователь", actor.user_id))?;
        User::try_from(row)
    }
}

/// Ends every open session of a user but the one of `except` (a token), as of `now`. The
/// caller tells subscriptions (`Engine::session_ended`) once its transaction is committed.
pub(super) async fn end_sessions<C: sea_orm::ConnectionTrait>(
    c: &C,
    user_id: i64,
    except: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut update = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(Some(now)))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null());
    if let Some(token) = except {
        update = update.filter(sessions::Column::TokenHash.ne(token_hash(token)));
    }
    update.exec(c).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_slows_down_after_repeated_failures() {
        let now = Utc::now();
        assert_eq!(throttle_wait(4, Some(now), now), None);
        assert_eq!(throttle_wait(5, Some(now), now), Some(Duration::seconds(2)));
        assert_eq!(throttle_wait(6, Some(now), now), Some(Duration::seconds(4)));
        assert_eq!(throttle_wait(6, Some(now - Duration::seconds(5)), now), None);
        assert_eq!(
            throttle_wait(40, Some(now), now),
            Some(Duration::seconds(MAX_DELAY_SECS))
        );
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn the_dummy_hash_is_a_valid_hash_no_password_matches() {
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("", DUMMY_HASH));
    }
}
