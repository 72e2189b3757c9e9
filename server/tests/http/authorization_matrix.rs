//! Every server function, called by anonymous, a reader and an admin.
use super::*;

#[tokio::test]
async fn authorization_matrix() {
    let s = start().await;
    let (reader, _) = s
        .signed_in_with_role("read.only", "Reader", &[app::model::Permission::UsersRead])
        .await;

    // Things to act on: a group and a role to delete, a user for a mass
    // action, and a job to look at.
    let root = usher_core::services::users::find(&s.db.db, "root.admin")
        .await
        .unwrap();
    let root = usher_core::services::actor::Actor {
        id: root.id,
        username: root.username,
        ip: None,
    };
    let group = usher_core::services::groups::create(&s.db.db, &root, "Matrix group", "")
        .await
        .unwrap();
    let spare_role = roles::create(
        &s.db.db,
        &root,
        "Spare role",
        "",
        &[app::model::Permission::AuditRead],
    )
    .await
    .unwrap();
    let target = users::insert(
        &s.db.db,
        users::NewUser {
            username: "bulk.target".into(),
            email: "bulk.target@example.com".into(),
            first_name: "Bulk".into(),
            last_name: "Target".into(),
            role_id: roles::USER_ROLE_ID,
            status: app::model::UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap();
    testkit::add_user(&s.db.db, "invited.one", app::model::UserStatus::Invited).await;
    let bulk_request = format!("action=deactivate&id={}", target.seq);
    let job = usher_core::services::bulk::start(
        &s.db.db,
        &root,
        &app::model::BulkRequest::parse(&bulk_request).unwrap(),
        None,
    )
    .await
    .unwrap();

    let general = s.sign_in("gen.user", USER_PASSWORD).await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let callers: [(&str, Option<&str>); 4] = [
        ("anonymous", None),
        ("general", Some(&general)),
        ("reader", Some(&reader)),
        ("admin", Some(&admin)),
    ];

    let new_user = |name: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("username", name.to_string()),
            ("first_name", "Matrix".into()),
            ("last_name", "Person".into()),
            ("email", format!("{name}@example.com")),
            ("phone", String::new()),
            ("role", roles::USER_ROLE_ID.to_string()),
            ("origin", "internal".into()),
            ("status", "active".into()),
            ("password", "a long matrix passphrase".into()),
        ]
    };
    // (endpoint, form, expected status per caller)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, [u16; 4]);
    let cases: Vec<Case> = vec![
        (
            "users/list",
            vec![("query", String::new())],
            [401, 403, 200, 200],
        ),
        ("users/options", vec![], [401, 403, 200, 200]),
        (
            "users/create",
            new_user("matrix.user"),
            [401, 403, 403, 200],
        ),
        ("users/suggest-password", vec![], [401, 403, 403, 200]),
        (
            "users/detail",
            vec![("username", "gen.user".into())],
            [401, 403, 200, 200],
        ),
        (
            "users/set-active",
            vec![
                ("username", "matrix.user".into()),
                ("active", "false".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/set-active",
            vec![
                ("username", "matrix.user".into()),
                ("active", "true".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/delete",
            vec![("username", "matrix.user".into())],
            [401, 403, 403, 200],
        ),
        ("roles/list", vec![], [401, 403, 403, 200]),
        (
            "audit/list",
            vec![("query", String::new())],
            [401, 403, 403, 200],
        ),
        (
            "roles/create",
            vec![
                ("name", "Matrix role".into()),
                ("description", String::new()),
                ("permissions[0]", "users.read".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/update",
            vec![
                ("username", "bulk.target".into()),
                ("first_name", "Bulk".into()),
                ("last_name", "Target".into()),
                ("email", "bulk.target@example.com".into()),
                ("phone", String::new()),
                ("role", roles::USER_ROLE_ID.to_string()),
                ("origin", "external".into()),
            ],
            [401, 403, 403, 200],
        ),
        ("groups/list", vec![], [401, 403, 403, 200]),
        (
            "groups/create",
            vec![
                ("name", "Matrix two".into()),
                ("description", String::new()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "groups/set-member",
            vec![
                ("group", group.to_string()),
                ("username", "bulk.target".into()),
                ("member", "true".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "groups/update",
            vec![
                ("id", group.to_string()),
                ("name", "Matrix group renamed".into()),
                ("description", "Renamed".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "roles/update",
            vec![
                ("id", spare_role.to_string()),
                ("name", "Spare role renamed".into()),
                ("description", String::new()),
                ("permissions[0]", "users.export".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "groups/delete",
            vec![("id", group.to_string())],
            [401, 403, 403, 200],
        ),
        (
            "roles/delete",
            vec![("id", spare_role.to_string())],
            [401, 403, 403, 200],
        ),
        (
            "users/bulk/preview",
            vec![("request", bulk_request.clone())],
            [401, 403, 403, 200],
        ),
        (
            "users/bulk/preview",
            vec![("request", "action=delete&all=1".into())],
            [401, 403, 403, 200],
        ),
        (
            "users/bulk/start",
            vec![("request", bulk_request.clone())],
            [401, 403, 403, 200],
        ),
        (
            "jobs/status",
            vec![("id", job.to_string())],
            [401, 403, 200, 200],
        ),
        ("settings/policy", vec![], [200, 200, 200, 200]),
        (
            "settings/policy/save",
            vec![
                ("username_pattern", String::new()),
                ("username_hint", String::new()),
                ("password_min", "12".into()),
                ("reject_common", "on".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/invite",
            vec![("username", "invited.one".into())],
            [401, 403, 403, 200],
        ),
        // The invited person's side is public; a bad link is 410 Gone.
        (
            "invite/check",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "invite/accept",
            vec![
                ("token", "not-a-token".into()),
                ("first_name", "Some".into()),
                ("last_name", "One".into()),
                ("password", "a long matrix passphrase".into()),
            ],
            [410, 410, 410, 410],
        ),
        (
            "invite/renew",
            vec![("token", "not-a-token".into())],
            [200, 200, 200, 200],
        ),
        (
            "users/set-password",
            vec![
                ("username", "bulk.target".into()),
                ("password", "a long matrix passphrase".into()),
                ("force_change", "on".into()),
            ],
            [401, 403, 403, 200],
        ),
        // Anyone signed in may change their own password (here with a wrong
        // current one, so nobody's password changes: 422).
        (
            "account/password",
            vec![
                ("current_password", "not the current one".into()),
                ("new_password", "a long matrix passphrase".into()),
            ],
            [401, 422, 422, 422],
        ),
        (
            "users/send-recovery",
            vec![("username", "gen.user".into())],
            [401, 403, 403, 200],
        ),
        (
            "recovery/request",
            vec![("login", "nobody@example.com".into())],
            [200, 200, 200, 200],
        ),
        (
            "recovery/check",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "recovery/reset",
            vec![
                ("token", "not-a-token".into()),
                ("password", "a long matrix passphrase".into()),
            ],
            [410, 410, 410, 410],
        ),
        (
            "users/invite-many/check",
            vec![("addresses", "someone.new@example.com; nope".into())],
            [401, 403, 403, 200],
        ),
        (
            "users/invite-many",
            vec![
                ("addresses", "matrix.invitee@example.com".into()),
                ("role", roles::USER_ROLE_ID.to_string()),
            ],
            [401, 403, 403, 200],
        ),
        ("settings/mail", vec![], [401, 403, 403, 200]),
        (
            "settings/mail/test",
            vec![("to", "someone@example.com".into())],
            [401, 403, 403, 200],
        ),
        (
            "settings/mail/retry",
            vec![("id", "not-a-mail".into())],
            [401, 403, 403, 409],
        ),
        (
            "settings/mail/save",
            vec![
                ("host", String::new()),
                ("port", String::new()),
                ("security", "none".into()),
                ("username", String::new()),
                ("password", String::new()),
                ("from_name", "Usher".into()),
                ("from_address", "usher@example.com".into()),
                ("public_url", "http://usher.test".into()),
                // A new public address needs the admin's own password.
                ("current_password", ADMIN_PASSWORD.into()),
            ],
            [401, 403, 403, 200],
        ),
        // Registration is public, and closed until an admin opens it.
        (
            "register",
            vec![
                ("username", "new.person".into()),
                ("first_name", "New".into()),
                ("last_name", "Person".into()),
                ("email", "new.person@example.com".into()),
            ],
            [409, 409, 409, 409],
        ),
        (
            "register/check",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "register/confirm",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "requests",
            vec![("status", "review".into()), ("page", "1".into())],
            [401, 403, 403, 200],
        ),
        ("requests/waiting", vec![], [401, 403, 403, 200]),
        (
            "requests/get",
            vec![("id", uuid::Uuid::new_v4().to_string())],
            [401, 403, 403, 404],
        ),
        (
            "requests/approve",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("role", roles::USER_ROLE_ID.to_string()),
            ],
            [401, 403, 403, 404],
        ),
        (
            "requests/reject",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("reason", "Matrix".into()),
            ],
            [401, 403, 403, 404],
        ),
        ("settings/certificates", vec![], [401, 403, 403, 200]),
        (
            "settings/certificates/save",
            vec![
                ("client_validity_days", "400".into()),
                ("approval_mode", "link".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "certificates/issue",
            vec![("username", "gen.user".into())],
            [401, 403, 403, 200],
        ),
        (
            "certificates/revoke",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("reason", "unspecified".into()),
                ("back", "/certificates".into()),
            ],
            [401, 403, 403, 404],
        ),
        (
            "certificates/of-user",
            vec![("username", "gen.user".into())],
            [401, 403, 200, 200],
        ),
        ("certificates/mine", vec![], [401, 200, 200, 200]),
        ("certificates/renew", vec![], [401, 403, 403, 200]),
        ("certificates", vec![], [401, 403, 403, 200]),
        ("certificates/expiring", vec![], [401, 403, 403, 200]),
        ("certificates/sign-in-url", vec![], [200, 200, 200, 200]),
        (
            "users/import/view",
            vec![("id", uuid::Uuid::new_v4().to_string())],
            [401, 403, 403, 404],
        ),
        (
            "users/import/map",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("columns[]", "0:username".into()),
            ],
            [401, 403, 403, 404],
        ),
        (
            "users/import/apply",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("mode", "valid".into()),
            ],
            [401, 403, 403, 404],
        ),
        ("whoami", vec![], [200, 200, 200, 200]),
    ];
    for (endpoint, form, expected) in cases {
        for ((who, cookie), want) in callers.iter().zip(expected) {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = s.call(endpoint, &form, *cookie).await;
            assert_eq!(res.status().as_u16(), want, "{endpoint} as {who}");
        }
    }
    s.stop().await;
}
