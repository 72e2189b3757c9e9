//! What the HTTP edge (`usher::http`) and the server functions (`app::api`)
//! both need to know about a request: its client, its cookie, its facts.
pub mod client_ip;
pub mod cookies;

/// Facts about the HTTP request that services record (audit) or need (cookies).
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure: bool,
    /// The id (token hash) of the session the request carries, if valid.
    pub session_id: Option<String>,
}
