//! Settings read from the environment at start (see README "Configuration").
use std::path::PathBuf;

use leptos::config::LeptosOptions;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `USHER_DATA_DIR` (default `data`): SQLite file, mail outbox, keys.
    pub data_dir: PathBuf,
    /// `DATABASE_URL` (default `sqlite://<data_dir>/usher.db`).
    pub database_url: String,
    /// `USHER_PUBLIC_URL`: base of links in mail and printed set-up links;
    /// default `http://<site address>`.
    pub public_url: Option<String>,
    /// `USHER_SMTP_HOST` and friends; mail goes to `<data_dir>/outbox` without it.
    pub smtp: Option<SmtpConfig>,
    /// `USHER_MAIL_FROM` (default `Usher <usher@localhost>`).
    pub mail_from: String,
    /// `USHER_LEPTOS_CONFIG` (default `Leptos.toml`): runtime site settings.
    pub leptos_config: PathBuf,
    /// The organisation named in the CA's name (`USHER_ORGANISATION`).
    pub organisation: String,
    /// The key that encrypts the CA's private key at rest: base64 of 32
    /// bytes in `USHER_CA_KEY`, or a file (`USHER_CA_KEY_FILE`, by default
    /// `<data dir>/ca.key`, made on first start with mode 0600).
    pub ca_key: Option<String>,
    pub ca_key_file: Option<PathBuf>,
    /// `USHER_HTTPS_ADDR`: where the HTTPS listener (certificate sign-in)
    /// listens; default the site address's IP on port 3443; `off` for none.
    pub https_addr: Option<String>,
    /// `USHER_HTTPS_URL`: its public base URL; default `https://<public
    /// host>:<its port>`.
    pub https_url: Option<String>,
    /// `USHER_TRUSTED_PROXIES`: comma-separated networks (CIDR) of the load
    /// balancers in front; only from them is `X-Forwarded-For` read.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// The HTTPS listener's default port.
pub const HTTPS_PORT: u16 = 3443;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir = PathBuf::from(var("USHER_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url =
            var("DATABASE_URL").unwrap_or_else(|| crate::db::default_sqlite_url(&data_dir));
        let smtp = match var("USHER_SMTP_HOST") {
            None => None,
            Some(host) => {
                let security = match var("USHER_SMTP_SECURITY").as_deref().unwrap_or("starttls") {
                    "none" => SmtpSecurity::None,
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    other => anyhow::bail!(
                        "USHER_SMTP_SECURITY must be none, starttls or tls (got {other:?})"
                    ),
                };
                let default_port = match security {
                    SmtpSecurity::Tls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::None => 25,
                };
                let port = match var("USHER_SMTP_PORT") {
                    Some(p) => p.parse().map_err(|_| {
                        anyhow::anyhow!("USHER_SMTP_PORT must be a port number (got {p:?})")
                    })?,
                    None => default_port,
                };
                Some(SmtpConfig {
                    host,
                    port,
                    security,
                    username: var("USHER_SMTP_USERNAME"),
                    password: var("USHER_SMTP_PASSWORD"),
                })
            }
        };
        Ok(Self {
            data_dir,
            database_url,
            public_url: var("USHER_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            smtp,
            mail_from: var("USHER_MAIL_FROM").unwrap_or_else(|| "Usher <usher@localhost>".into()),
            leptos_config: PathBuf::from(
                var("USHER_LEPTOS_CONFIG").unwrap_or_else(|| "Leptos.toml".into()),
            ),
            organisation: var("USHER_ORGANISATION").unwrap_or_else(|| "Usher".into()),
            ca_key: var("USHER_CA_KEY"),
            ca_key_file: var("USHER_CA_KEY_FILE").map(PathBuf::from),
            https_addr: var("USHER_HTTPS_ADDR"),
            https_url: var("USHER_HTTPS_URL").map(|u| u.trim_end_matches('/').to_string()),
            trusted_proxies: match var("USHER_TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(list) => crate::web::client_ip::parse_networks(&list)
                    .map_err(|e| anyhow::anyhow!("USHER_TRUSTED_PROXIES: {e}"))?,
            },
        })
    }

    /// Site settings from `Leptos.toml` when present, with `LEPTOS_*`
    /// environment variables layered over it; from the environment alone otherwise.
    pub fn leptos_options(&self) -> anyhow::Result<LeptosOptions> {
        let path = self
            .leptos_config
            .to_str()
            .filter(|_| self.leptos_config.exists());
        let conf = leptos::config::get_configuration(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", self.leptos_config.display()))?;
        Ok(conf.leptos_options)
    }

    pub fn public_url(&self, options: &LeptosOptions) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", options.site_addr))
    }

    /// Where the HTTPS listener listens, unless it is turned off.
    pub fn https_addr(
        &self,
        options: &LeptosOptions,
    ) -> anyhow::Result<Option<std::net::SocketAddr>> {
        match self.https_addr.as_deref() {
            Some("off") => Ok(None),
            Some(text) => Ok(Some(text.parse().map_err(|_| {
                anyhow::anyhow!(
                    "USHER_HTTPS_ADDR must be an address like 0.0.0.0:3443, or off (got {text:?})"
                )
            })?)),
            None => Ok(Some(std::net::SocketAddr::new(
                options.site_addr.ip(),
                HTTPS_PORT,
            ))),
        }
    }

    /// The HTTPS listener's base URL, for links to certificate sign-in.
    pub fn https_url(&self, options: &LeptosOptions) -> Option<String> {
        if let Some(url) = &self.https_url {
            return Some(url.clone());
        }
        let addr = self.https_addr(options).ok().flatten()?;
        let public = self.public_url(options);
        let host = host_of(&public).unwrap_or_else(|| options.site_addr.ip().to_string());
        Some(format!("https://{host}:{}", addr.port()))
    }

    /// Cookies get `Secure` and the `__Host-` prefix when served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// "https://usher.example:8443/x" → "usher.example"; IPv6 stays bracketed.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_string())
}
