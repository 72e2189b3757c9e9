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

    /// The permission this one is useless without: every act on users
    /// starts from seeing them ("Add and change users" needs "See users").
    pub fn needs(self) -> Option<Permission> {
        match self {
            Permission::UsersWrite
            | Permission::UsersDelete
            | Permission::UsersImport
            | Permission::UsersExport => Some(Permission::UsersRead),
            _ => None,
        }
    }
}

/// `permissions` with what each needs added, sorted, once each: what a role
/// grants, whatever its form ticked (so no role can add users it cannot see).
pub fn with_needed(permissions: &[Permission]) -> Vec<Permission> {
    let mut all: Vec<Permission> = permissions
        .iter()
        .flat_map(|p| std::iter::once(*p).chain(p.needs()))
        .collect();
    all.sort();
    all.dedup();
    all
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

    #[test]
    fn acting_on_users_includes_seeing_them() {
        assert_eq!(
            with_needed(&[Permission::AuditRead, Permission::UsersWrite]),
            [
                Permission::UsersRead,
                Permission::UsersWrite,
                Permission::AuditRead
            ]
        );
        assert_eq!(
            with_needed(&[Permission::GroupsManage]),
            [Permission::GroupsManage]
        );
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

/// What "Add" or "Remove from …" on a user's Groups tab did: the page's
/// acknowledgement, and the Undo of a removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipChange {
    pub group_id: String,
    pub group: String,
    pub member: bool,
}

impl MembershipChange {
    /// The tab's address part that acknowledges it (`added=` or `removed=`
    /// with the group's id).
    pub fn query(&self) -> String {
        let key = if self.member { "added" } else { "removed" };
        format!("{key}={}", self.group_id)
    }
}
