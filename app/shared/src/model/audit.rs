use serde::{Deserialize, Serialize};

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub success: bool,
    pub details: Option<String>,
}

/// The audit log's filters, from the URL (`?actor=&action=&target=&from=&to=&before=`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: String,
    /// A prefix such as `user.` or `auth.sign_in`.
    pub action: String,
    pub target: String,
    /// `YYYY-MM-DD`, inclusive (UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Show events older than this id (the next page).
    pub before: Option<i64>,
}

impl AuditQuery {
    pub fn parse(query_string: &str) -> Self {
        let mut q = AuditQuery::default();
        for pair in query_string.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = super::user_query::decode(v).trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k {
                "actor" => q.actor = v,
                "action" => q.action = v,
                "target" => q.target = v,
                "from" if v.len() == 10 => q.from = Some(v),
                "to" if v.len() == 10 => q.to = Some(v),
                "before" => q.before = v.parse().ok(),
                _ => {}
            }
        }
        q
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The id to pass as `before` for the next page, when there is one.
    pub next_before: Option<i64>,
}

/// The actions the log records, each with its sentence: `{actor}` and
/// `{target}` are the event's, `{KEY}` a top-level value of its details.
/// Grouped as the action picker shows them.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("Sign-in", "auth.sign_in", "{actor} signed in"),
    ("Sign-in", "auth.sign_out", "{actor} signed out"),
    (
        "Sign-in",
        "auth.sign_in_delayed",
        "Sign-in for {target} was slowed after failed attempts",
    ),
    (
        "Sign-in",
        "auth.sign_in_delays_ended",
        "{actor} ended the sign-in delays",
    ),
    ("Sign-in", "auth.register", "{target} asked for an account"),
    (
        "Sign-in",
        "auth.recovery_request",
        "{target} asked for a password recovery email",
    ),
    ("Sign-in", "access.refused", "{actor} was refused {target}"),
    ("Users", "user.create", "{actor} added {target}"),
    ("Users", "user.update", "{actor} changed {target}"),
    ("Users", "user.activate", "{actor} activated {target}"),
    ("Users", "user.deactivate", "{actor} deactivated {target}"),
    ("Users", "user.delete", "{actor} deleted {target}"),
    ("Users", "user.invite", "{actor} invited {target}"),
    ("Users", "user.join", "{target} joined"),
    (
        "Users",
        "user.confirm_email",
        "{target} confirmed their email address",
    ),
    (
        "Users",
        "user.password_set",
        "{actor} set the password of {target}",
    ),
    (
        "Users",
        "user.password_change",
        "{actor} changed their password",
    ),
    (
        "Users",
        "user.password_reset",
        "{target} chose a new password from a recovery email",
    ),
    (
        "Users",
        "user.recovery_sent",
        "{actor} sent {target} a password recovery email",
    ),
    ("Users", "users.export", "{actor} exported users"),
    ("Users", "users.import", "{actor} imported users"),
    (
        "Groups",
        "group.create",
        "{actor} created the group {target}",
    ),
    (
        "Groups",
        "group.update",
        "{actor} changed the group {target}",
    ),
    (
        "Groups",
        "group.delete",
        "{actor} deleted the group {target}",
    ),
    (
        "Groups",
        "group.add_member",
        "{actor} added {target} to {group}",
    ),
    (
        "Groups",
        "group.remove_member",
        "{actor} removed {target} from {group}",
    ),
    ("Roles", "role.create", "{actor} created the role {target}"),
    ("Roles", "role.update", "{actor} changed the role {target}"),
    ("Roles", "role.delete", "{actor} deleted the role {target}"),
    (
        "Requests",
        "request.approve",
        "{actor} approved the request of {target}",
    ),
    (
        "Requests",
        "request.reject",
        "{actor} rejected the request of {target}",
    ),
    (
        "Certificates",
        "certificate.issue",
        "{actor} issued a certificate to {target}",
    ),
    (
        "Certificates",
        "certificate.revoke",
        "{actor} revoked a certificate of {target}",
    ),
    (
        "Settings",
        "settings.update",
        "{actor} changed the settings",
    ),
    (
        "Settings",
        "settings.certificates",
        "{actor} changed the certificate settings",
    ),
    (
        "Settings",
        "mail.settings",
        "{actor} changed the mail settings",
    ),
    ("Settings", "mail.retry", "{actor} retried sending mail"),
    ("Settings", "audit.export", "{actor} exported the audit log"),
];

/// The groups of the action picker, each with "All …" as its prefix.
pub const ACTION_GROUPS: &[(&str, &str)] = &[
    ("Sign-in", "auth."),
    ("Users", "user."),
    ("Groups", "group."),
    ("Roles", "role."),
    ("Requests", "request."),
    ("Certificates", "certificate."),
    ("Settings", "settings."),
];

impl AuditEntry {
    fn details_json(&self) -> serde_json::Value {
        self.details
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// "anna.admin deactivated bob.berg (1 certificate revoked)"; an action
    /// the catalogue does not know reads as its code.
    pub fn sentence(&self) -> String {
        let details = self.details_json();
        let actor = self.actor.as_deref().unwrap_or("Usher");
        let target = self.target.as_deref().unwrap_or("");
        let mut text = match ACTIONS.iter().find(|(_, code, _)| *code == self.action) {
            Some((_, _, template)) => {
                let mut text = template
                    .replace("{actor}", actor)
                    .replace("{target}", target);
                if let serde_json::Value::Object(map) = &details {
                    for (key, value) in map {
                        if let Some(v) = value.as_str() {
                            text = text.replace(&format!("{{{key}}}"), v);
                        }
                    }
                }
                text
            }
            None => format!("{actor}: {} {target}", self.action)
                .trim_end()
                .to_string(),
        };
        let mut notes = Vec::new();
        if let Some(n) = details.get("certificates_revoked").and_then(|n| n.as_u64()) {
            notes.push(if n == 1 {
                "1 certificate revoked".to_string()
            } else {
                format!("{n} certificates revoked")
            });
        }
        for (key, label) in [("job", "mass action"), ("import", "import")] {
            if details.get(key).is_some() {
                notes.push(format!("by {label}"));
            }
        }
        if let Some(reason) = details.get("reason").and_then(|r| r.as_str()) {
            notes.push(format!("reason: {reason}"));
        }
        if !notes.is_empty() {
            text = format!("{text} ({})", notes.join("; "));
        }
        if !self.success {
            text.push_str(" — failed");
        }
        text
    }

    /// What changed, field by field: (field, before, after), from the
    /// details' `before` and `after`.
    pub fn changes(&self) -> Vec<(String, String, String)> {
        let details = self.details_json();
        let side = |name: &str| match details.get(name) {
            Some(serde_json::Value::Object(map)) => map.clone(),
            _ => serde_json::Map::new(),
        };
        let (before, after) = (side("before"), side("after"));
        let show = |v: Option<&serde_json::Value>| match v {
            None | Some(serde_json::Value::Null) => "—".to_string(),
            Some(serde_json::Value::String(s)) if s.is_empty() => "—".to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join(", "),
            Some(other) => other.to_string(),
        };
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| (k.replace('_', " "), show(before.get(k)), show(after.get(k))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, details: &str) -> AuditEntry {
        AuditEntry {
            id: 1,
            at: "2026-12-07T10:00:00Z".into(),
            actor: Some("anna.admin".into()),
            action: action.into(),
            target: Some("bob.berg".into()),
            ip: None,
            success: true,
            details: Some(details.into()),
        }
    }

    #[test]
    fn events_read_as_sentences_with_their_changes() {
        let e = entry(
            "user.deactivate",
            r#"{"before":{"status":"active"},"after":{"status":"inactive"},"certificates_revoked":1}"#,
        );
        assert_eq!(
            e.sentence(),
            "anna.admin deactivated bob.berg (1 certificate revoked)"
        );
        assert_eq!(
            e.changes(),
            [(
                "status".to_string(),
                "active".to_string(),
                "inactive".to_string()
            )]
        );
        let e = entry("group.add_member", r#"{"group":"Engineering","job":"42"}"#);
        assert_eq!(
            e.sentence(),
            "anna.admin added bob.berg to Engineering (by mass action)"
        );
        assert!(e.changes().is_empty());
        let e = entry("user.fly", "{}");
        assert_eq!(e.sentence(), "anna.admin: user.fly bob.berg");
    }
}
