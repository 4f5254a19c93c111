//! `project-office users create-admin`: the first administrator.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use engine::service::NewUser;
use engine::{Actor, Role};

use crate::config::Config;

/// Creates an administrator. The password is asked for at a terminal (twice), or read as
/// the first line of standard input when it is not a terminal — never taken as an argument,
/// where it would end up in the shell history and the process list.
pub async fn create_admin(config: &Config, email: &str, full_name: &str) -> anyhow::Result<()> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Пароль администратора: ").context("cannot read the password")?;
        let second = rpassword::prompt_password("Повторите пароль: ").context("cannot read the password")?;
        if first != second {
            bail!("the passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    let engine = crate::open(config).await?;
    let user = engine
        .create_user(
            &Actor::SYSTEM,
            NewUser {
                email: email.to_string(),
                full_name: full_name.to_string(),
                password: Some(password),
                role: Role::Admin,
                district_id: None,
                organization_id: None,
            },
        )
        .await?;
    println!("administrator {} created (id {})", user.email, user.id);
    Ok(())
}
