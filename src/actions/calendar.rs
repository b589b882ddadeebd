//! The calendar feed's secret URL (page and API): make or replace it (the old one stops at
//! once), or turn it off.

use super::{ActionResult, Ctx};
use crate::calendar::token;
use crate::db::users::User;

/// A new secret for the user's feed; the previous URL stops working.
pub async fn replace(cx: &Ctx<'_>, user: &User) -> ActionResult<String> {
    Ok(token::replace(cx.db, user).await?)
}

/// Turns the user's feed off.
pub async fn turn_off(cx: &Ctx<'_>, user: &User) -> ActionResult<()> {
    token::revoke(cx.db, user).await?;
    Ok(())
}

/// The feed's `https://` (or `http://`) URL and its `webcal://` twin, when the server can build
/// absolute links (`links::absolute`).
pub fn urls(
    config: &crate::config::Config,
    host: Option<&str>,
    secret: &str,
) -> Option<(String, String)> {
    let url = crate::links::absolute(config, host, &token_path(secret))?;
    let webcal = url
        .split_once("://")
        .map_or_else(|| url.clone(), |(_, rest)| format!("webcal://{rest}"));
    Some((url, webcal))
}

fn token_path(secret: &str) -> String {
    token::path(secret)
}
