use serde::{Deserialize, Serialize};

/// What a role may do. The built-in Admin role holds all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    UsersRead,
    UsersWrite,
    UsersDelete,
    UsersImport,
    UsersExport,
    GroupsManage,
    RolesManage,
    RequestsReview,
    CertificatesManage,
    SettingsManage,
    AuditRead,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::UsersRead,
        Permission::UsersWrite,
        Permission::UsersDelete,
        Permission::UsersImport,
        Permission::UsersExport,
        Permission::GroupsManage,
        Permission::RolesManage,
        Permission::RequestsReview,
        Permission::CertificatesManage,
        Permission::SettingsManage,
        Permission::AuditRead,
    ];

    /// The stable name stored in the database and shown to admins.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::UsersRead => "users.read",
            Permission::UsersWrite => "users.write",
            Permission::UsersDelete => "users.delete",
            Permission::UsersImport => "users.import",
            Permission::UsersExport => "users.export",
            Permission::GroupsManage => "groups.manage",
            Permission::RolesManage => "roles.manage",
            Permission::RequestsReview => "requests.review",
            Permission::CertificatesManage => "certificates.manage",
            Permission::SettingsManage => "settings.manage",
            Permission::AuditRead => "audit.read",
        }
    }

    /// What the permission allows, in the admin's words.
    pub fn label(self) -> &'static str {
        match self {
            Permission::UsersRead => "See users",
            Permission::UsersWrite => "Add and change users",
            Permission::UsersDelete => "Delete users",
            Permission::UsersImport => "Import users",
            Permission::UsersExport => "Export users",
            Permission::GroupsManage => "Manage groups",
            Permission::RolesManage => "Manage roles",
            Permission::RequestsReview => "Review access requests",
            Permission::CertificatesManage => "Manage certificates",
            Permission::SettingsManage => "Change settings",
            Permission::AuditRead => "Read the audit log",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::parse("users.fly"), None);
    }
}

/// A role as the roles page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: Vec<Permission>,
    pub users: u64,
}

/// A group as the groups page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub members: u64,
    pub created_by: Option<String>,
    pub created_at: String,
}
