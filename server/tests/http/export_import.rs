//! The CSV routes: the export streams to those allowed; the import checks
//! callers, files and sizes.
use super::*;

/// A multipart upload of `bytes` as `file` to `/import/upload`.
async fn upload(s: &Server, cookie: Option<&str>, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("people.csv");
    let form = reqwest::multipart::Form::new().part("file", part);
    let mut req = s
        .client
        .post(s.url("/import/upload"))
        .header("Origin", &s.base)
        .multipart(form);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap()
}
fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}
/// `path` refuses an anonymous caller (401) and a General user (403);
/// the Admin's answer (200) is returned. The Admin signs in last, so the
/// audit log's newest sign-in is theirs.
async fn only_admins_get(s: &Server, path: &str) -> reqwest::Response {
    let url = s.url(path);
    let anonymous = s.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let user = s.sign_in("gen.user", USER_PASSWORD).await;
    let refused = s.client.get(&url).header(COOKIE, &user).send().await;
    assert_eq!(refused.unwrap().status(), StatusCode::FORBIDDEN);
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let res = s.client.get(&url).header(COOKIE, &admin).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res
}

#[tokio::test]
async fn the_audit_log_export_streams_the_filtered_events_to_auditors() {
    let s = start().await;
    let res = only_admins_get(&s, "/export/audit.csv?action=auth.sign_in").await;
    assert_eq!(res.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("time,actor,action,event,target"),
        "{text}"
    );
    // The two sign-ins above, newest first, as sentences; nothing else.
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("root.admin signed in"), "{text}");
    assert!(lines[2].contains("gen.user signed in"), "{text}");
}

#[tokio::test]
async fn the_users_export_streams_csv_to_those_allowed() {
    let s = start().await;
    let res = only_admins_get(&s, "/export/users.csv?status=active&bom=1").await;
    assert_eq!(res.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        disposition.contains(&format!("usher-users-{today}.csv")),
        "{disposition}"
    );
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "BOM on request");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("username,first_name,last_name,email"));
    assert_eq!(lines.len(), 3, "the two active users: {text}");
    assert!(
        text.contains("gen.user,General,User,gen@example.com"),
        "{text}"
    );
    // The export is in the audit log once the stream ends.
    let mut logged = false;
    for _ in 0..50 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use usher_core::db::entities::audit_event;
        let n = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("users.export"))
            .count(&s.db.db)
            .await
            .unwrap();
        if n == 1 {
            logged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(logged, "users.export is audited");
    s.stop().await;
}
#[tokio::test]
async fn the_import_routes_check_callers_files_and_sizes() {
    let s = start().await;
    let user = s.sign_in("gen.user", USER_PASSWORD).await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let good = b"username,first_name,last_name,email\nnew.one,New,One,new.one@example.com\nbad,Ba,D,nope\n".to_vec();
    assert_eq!(
        upload(&s, None, good.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upload(&s, Some(&user), good.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    let template = s.url("/import/template.csv");
    assert_eq!(
        s.client.get(&template).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = s
        .client
        .get(&template)
        .header(COOKIE, &user)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = s
        .client
        .get(&template)
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().starts_with(
        "username,first_name,last_name,email,phone,role,groups,status,origin,password"
    ));

    // Refused files: back to the upload page with the reason, nothing kept.
    let refused = [
        (vec![b'a'; 60 * 1024 * 1024], "larger than 50 MB"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(), "binary"),
        (Vec::new(), "empty"),
        (b"username,email\n".to_vec(), "no rows"),
        (
            b"username,email\nann,\"ann@example.com\n".to_vec(),
            "never closed",
        ),
    ];
    for (bytes, reason) in refused {
        let res = upload(&s, Some(&admin), bytes).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert!(to.starts_with("/users/import?error="), "{to}");
        let decoded = to.replace("%20", " ");
        assert!(decoded.contains(reason), "{decoded}");
    }
    {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let kept = usher_core::db::entities::import::Entity::find()
            .count(&s.db.db)
            .await
            .unwrap();
        assert_eq!(kept, 0, "nothing is kept of a refused file");
    }

    // A good file: on to its mapping step, then its error report.
    let res = upload(&s, Some(&admin), good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id = to.strip_prefix("/users/import/").expect(&to).to_string();
    let mapped = s
        .call(
            "users/import/map",
            &[
                ("id", &id),
                ("columns[]", "0:username"),
                ("columns[]", "1:first_name"),
                ("columns[]", "2:last_name"),
                ("columns[]", "3:email"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(mapped.status(), StatusCode::OK);
    let report = s.url(&format!("/import/{id}/errors.csv"));
    assert_eq!(
        s.client.get(&report).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = s
        .client
        .get(&report)
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("bad,Ba,D,nope,\"email: Enter a valid email address"),
        "{text}"
    );
    s.stop().await;
}
