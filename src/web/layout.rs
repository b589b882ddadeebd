//! The shared page frame: who is signed in, which nav item is active, flash messages, and the
//! version string that lets browsers cache static files for a year.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::auth::session::{self, Flash};
use crate::web::extract::CurrentUser;

/// What `templates/base.html` needs on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub user_name: Option<String>,
    pub is_manager: bool,
    pub active: &'static str,
    pub flashes: Vec<Flash>,
    pub asset_version: &'static str,
}

impl Layout {
    /// The frame for a signed-in page; takes the queued flash messages.
    pub async fn new(user: &CurrentUser, active: &'static str) -> Self {
        Self {
            user_name: Some(user.name.clone()),
            is_manager: user.is_manager(),
            active,
            flashes: session::take_flashes(&user.session).await,
            asset_version: asset_version(),
        }
    }

    /// The frame for pages seen before login (setup, login).
    pub fn anonymous() -> Self {
        Self {
            user_name: None,
            is_manager: false,
            active: "",
            flashes: Vec::new(),
            asset_version: asset_version(),
        }
    }

    /// Adds an error message shown on this render only (a re-shown form).
    pub fn with_error(mut self, text: impl Into<String>) -> Self {
        self.flashes.push(Flash {
            kind: "error".into(),
            text: text.into(),
        });
        self
    }
}

/// A short hash of the static files: it changes when they do, so `?v=` busts caches.
pub fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        for name in ["css/app.css", "js/app.js", "js/board.js"] {
            if let Ok(bytes) = std::fs::read(super::static_dir().join(name)) {
                hasher.update(&bytes);
            }
        }
        hex::encode(&hasher.finalize()[..6])
    })
}
