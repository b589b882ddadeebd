//! Sending mail (the morning digest, the test email): `SMTP_URL` and `MAIL_FROM`, through
//! lettre's pooled async SMTP transport (STARTTLS or implicit TLS with rustls). Without both
//! settings the server sends no mail and says so on Settings.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

/// How long one SMTP exchange may take before it counts as a temporary failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The mail server, when one is configured (clones share its connection pool).
#[derive(Clone, Default)]
pub struct Mail {
    sender: Option<Arc<Sender>>,
}

struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `SMTP_URL` without its user and password, for Settings.
    server: String,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("server", &self.server())
            .finish()
    }
}

/// One message: a subject and the same words as plain text and as HTML.
#[derive(Debug, Clone)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a message did not go out.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server was unreachable or answered 4xx: worth another try later.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The server refused the message for good (5xx), or the address is not one.
    #[error("refused: {0}")]
    Permanent(String),
    /// No SMTP_URL/MAIL_FROM on this server.
    #[error("no mail server is configured")]
    NotConfigured,
}

impl Mail {
    /// The mail server of the configuration; neither SMTP_URL nor MAIL_FROM set is no mail, one
    /// without the other (or a URL lettre cannot use) is an error at start.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let (url, from) = match (&config.smtp_url, &config.mail_from) {
            (None, None) => return Ok(Self::default()),
            (Some(url), Some(from)) => (url, from),
            _ => anyhow::bail!("set both SMTP_URL and MAIL_FROM to send mail, or neither"),
        };
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM `{from}` is not an address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&with_starttls(url))
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self {
            sender: Some(Arc::new(Sender {
                transport,
                from,
                server: without_secrets(url),
            })),
        })
    }

    /// Whether mail can be sent.
    pub fn is_configured(&self) -> bool {
        self.sender.is_some()
    }

    /// The mail server as Settings shows it (no user or password).
    pub fn server(&self) -> Option<&str> {
        self.sender.as_deref().map(|s| s.server.as_str())
    }

    /// Opens a connection to the mail server and says hello (the doctor's check); sends nothing.
    pub async fn check_connection(&self) -> Result<(), SendError> {
        let sender = self.sender.as_deref().ok_or(SendError::NotConfigured)?;
        match sender.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError::Temporary(
                "the server did not answer as a mail server".into(),
            )),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Temporary(e.to_string())),
        }
    }

    /// Sends one message; the server's answer (e.g. "250 OK") on success.
    pub async fn send(&self, letter: &Letter) -> Result<String, SendError> {
        let sender = self.sender.as_deref().ok_or(SendError::NotConfigured)?;
        let to: Mailbox = letter
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("`{}` is not an address: {e}", letter.to)))?;
        let message = Message::builder()
            .from(sender.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                letter.text.clone(),
                letter.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))?;
        match sender.transport.send(message).await {
            Ok(answer) => Ok(answer_words(&answer)),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Temporary(e.to_string())),
        }
    }
}

/// "250 OK: queued as 12345".
fn answer_words(answer: &Response) -> String {
    let words: Vec<&str> = answer.message().collect();
    format!("{} {}", answer.code(), words.join(" "))
}

/// `smtp://` without a `tls=` choice uses STARTTLS when the server offers it (lettre's default
/// for the scheme would be plain text always).
fn with_starttls(url: &str) -> String {
    if !url.trim_start().starts_with("smtp://") || url.contains("tls=") {
        return url.to_string();
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}tls=opportunistic")
}

/// The URL with any `user:password@` taken out.
fn without_secrets(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_ask_for_starttls_unless_told_otherwise() {
        assert_eq!(
            with_starttls("smtp://mail.example.com:587"),
            "smtp://mail.example.com:587?tls=opportunistic"
        );
        assert_eq!(
            with_starttls("smtp://mail.example.com?tls=required"),
            "smtp://mail.example.com?tls=required"
        );
        assert_eq!(
            with_starttls("smtps://u:p@mail.example.com"),
            "smtps://u:p@mail.example.com"
        );
    }

    #[test]
    fn settings_never_show_the_password() {
        assert_eq!(
            without_secrets("smtps://apikey:s3cr3t@smtp.example.com:465"),
            "smtps://smtp.example.com:465"
        );
        assert_eq!(
            without_secrets("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
    }
}
