//! Secrets (SMTP passwords, webhook tokens, the database password) named
//! by `KEY_env` or `KEY_file`, read only when used, never shown.

use std::fmt;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::problems::Report;
use super::value::resolve;

/// A secret (SMTP password, webhook signing key) read from the environment or
/// a file. Its Debug and Display never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }
    /// The secret itself, for the one place that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a secret comes from. Loading a config never reads it: a channel
/// reads it when it sends, `presswatch run` when it starts, `validate` to
/// check it. So read-only commands work where the secret is not available,
/// e.g. outside the systemd unit that passes it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    /// The config key naming it, e.g. `channel "mail".password_file`.
    pub key: String,
    /// The environment variable or file.
    pub source: SecretSource,
}

/// The place a secret is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable (`*_env`).
    Env(String),
    /// A file (`*_file`), resolved against the config file's directory.
    File(PathBuf),
    /// A systemd credential: a file relative to `$CREDENTIALS_DIRECTORY`
    /// (`*_file = "$CREDENTIALS_DIRECTORY/NAME"`), which systemd sets only
    /// inside the unit.
    Credential(PathBuf),
}

/// Why a secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// Not available to this process, but it may be where the daemon runs
    /// (inside the systemd unit, with its environment or its user).
    Unavailable(String),
    /// Broken wherever it is read: a missing file, an empty value.
    Invalid(String),
}

impl SecretError {
    /// What is wrong.
    pub fn message(&self) -> &str {
        match self {
            SecretError::Unavailable(m) | SecretError::Invalid(m) => m,
        }
    }
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl SecretRef {
    /// Reads the secret now (trailing line breaks of a file are dropped).
    pub fn read(&self) -> Result<Secret, SecretError> {
        let value = match &self.source {
            SecretSource::Env(var) => std::env::var(var).map_err(|_| {
                SecretError::Unavailable(format!(
                    "environment variable {var} is not set in this environment (under systemd, set it with Environment= or EnvironmentFile= in the unit)"
                ))
            })?,
            SecretSource::Credential(name) => {
                let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") else {
                    return Err(SecretError::Unavailable(
                        "$CREDENTIALS_DIRECTORY is not set: systemd sets it only inside the unit, for the credentials its LoadCredential= lines pass in".into(),
                    ));
                };
                let path = Path::new(&dir).join(name);
                read_secret_file(&path).map_err(|e| match e {
                    SecretError::Invalid(m) => SecretError::Invalid(format!(
                        "{m} (is there a LoadCredential={}:... line in the unit?)",
                        name.display()
                    )),
                    other => other,
                })?
            }
            SecretSource::File(path) => read_secret_file(path)?,
        };
        if value.is_empty() {
            return Err(SecretError::Invalid(match &self.source {
                SecretSource::Env(var) => format!("environment variable {var} is empty"),
                _ => "the secret file is empty".into(),
            }));
        }
        Ok(Secret::new(value))
    }
}

/// Reads a secret file; permission problems may be this user's only.
fn read_secret_file(path: &Path) -> Result<String, SecretError> {
    match std::fs::read_to_string(path) {
        Ok(v) => Ok(v.trim_end_matches(['\n', '\r']).to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(SecretError::Unavailable(format!(
                "cannot read {} as this user ({e}); the user the daemon runs as must be able to",
                path.display()
            )))
        }
        Err(e) => Err(SecretError::Invalid(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Where a channel's secret comes from (`KEY_env` or `KEY_file`); an inline
/// `KEY` is refused. Nothing is read here (see [`SecretRef`]).
pub(super) fn secret_ref(
    r: &mut Report<'_>,
    key: &str,
    inline: &Option<Spanned<String>>,
    env: &Option<Spanned<String>>,
    file: &Option<Spanned<String>>,
    base: &Path,
) -> Option<SecretRef> {
    if let Some(s) = inline {
        // What to write in the same table, as TOML: `password_env = "VAR"`.
        let name = key.rsplit('.').next().unwrap_or(key);
        r.at(
            Some(s.span()),
            key,
            format!("secrets may not be written in the config; write `{name}_env = \"VAR\"` (an environment variable) or `{name}_file = \"path\"` in its place"),
        );
        return None;
    }
    if let (Some(_), Some(f)) = (env, file) {
        r.at(
            Some(f.span()),
            format!("{key}_file"),
            format!("set either `{key}_env` or `{key}_file`, not both"),
        );
        return None;
    }
    if let Some(var) = env {
        let name = var.get_ref().trim();
        if name.is_empty() {
            r.at(
                Some(var.span()),
                format!("{key}_env"),
                "names no environment variable",
            );
            return None;
        }
        return Some(SecretRef {
            key: format!("{key}_env"),
            source: SecretSource::Env(name.to_string()),
        });
    }
    let f = file.as_ref()?;
    let written = f.get_ref().trim();
    let source = match written.strip_prefix("$CREDENTIALS_DIRECTORY") {
        Some(rest) if rest.starts_with('/') && rest.len() > 1 => {
            SecretSource::Credential(PathBuf::from(rest.trim_start_matches('/')))
        }
        Some(_) => {
            r.at(
                Some(f.span()),
                format!("{key}_file"),
                "write a credential as \"$CREDENTIALS_DIRECTORY/NAME\", NAME as in the unit's LoadCredential=NAME:...",
            );
            return None;
        }
        None if written.is_empty() => {
            r.at(Some(f.span()), format!("{key}_file"), "names no file");
            return None;
        }
        None => SecretSource::File(resolve(base, written)),
    };
    Some(SecretRef {
        key: format!("{key}_file"),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::errors;
    use crate::config::{ChannelKind, Config};

    #[test]
    fn inline_secrets_are_refused_and_others_are_not_read_when_loading() {
        let src = r#"
[[channel]]
name = "mail"
type = "email"
smtp_url = "smtps://mail.example.org"
from = "pw@example.org"
to = ["staff@example.org"]
password = "hunter2"

[[channel]]
name = "hook"
type = "webhook"
url = "https://example.org/hook"
secret_env = "PRESSWATCH_TEST_UNSET_VARIABLE"
"#;
        let e = errors(src);
        assert_eq!(
            e[0],
            "c.toml:8: channel \"mail\".password: secrets may not be written in the config; write `password_env = \"VAR\"` (an environment variable) or `password_file = \"path\"` in its place"
        );
        assert!(!e.iter().any(|l| l.contains("hunter2")));
        // The variable is read when the channel sends, not when the config loads.
        assert_eq!(e.len(), 1, "{e:#?}");
        let c = Config::parse(
            Path::new("/etc/presswatch/config.toml"),
            &src.replace(
                "password = \"hunter2\"",
                "password_file = \"$CREDENTIALS_DIRECTORY/smtp\"",
            ),
        )
        .unwrap();
        let ChannelKind::Email(mail) = &c.channels[0].kind else {
            panic!("email channel")
        };
        let password = mail.password.as_ref().unwrap();
        assert_eq!(password.key, "channel \"mail\".password_file");
        assert_eq!(
            password.source,
            SecretSource::Credential(PathBuf::from("smtp"))
        );
        assert_eq!(c.key_lines.get("channel \"mail\".password_file"), Some(&8));
        let ChannelKind::Webhook(hook) = &c.channels[1].kind else {
            panic!("webhook channel")
        };
        let unset = hook.secret.as_ref().unwrap().read().unwrap_err();
        assert!(matches!(unset, SecretError::Unavailable(_)), "{unset:?}");
        assert!(unset
            .message()
            .contains("PRESSWATCH_TEST_UNSET_VARIABLE is not set"));
    }

    #[test]
    fn a_secret_file_is_read_when_asked_and_a_missing_one_is_invalid() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hook.key"), "s3cret\n").unwrap();
        let src = "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\nsecret_file = \"hook.key\"\n\n[[channel]]\nname = \"other\"\ntype = \"webhook\"\nurl = \"https://example.org/o\"\nsecret_file = \"missing.key\"\n";
        let c = Config::parse(&dir.path().join("config.toml"), src).unwrap();
        let secret = |i: usize| match &c.channels[i].kind {
            ChannelKind::Webhook(w) => w.secret.clone().unwrap(),
            _ => panic!("webhook"),
        };
        assert_eq!(secret(0).read().unwrap().expose(), "s3cret");
        assert!(matches!(secret(1).read(), Err(SecretError::Invalid(_))));
        let both = errors("[[channel]]\nname = \"h\"\ntype = \"webhook\"\nurl = \"https://example.org/h\"\nsecret_env = \"X\"\nsecret_file = \"f\"\n");
        assert_eq!(
            both,
            vec!["c.toml:6: channel \"h\".secret_file: set either `channel \"h\".secret_env` or `channel \"h\".secret_file`, not both"]
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2".into())),
            "Secret(***)"
        );
    }
}
