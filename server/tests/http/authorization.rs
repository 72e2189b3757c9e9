//! Who may call what: anonymous callers get 401, callers without the
//! permission 403, on server functions and pages alike.
use super::*;

#[tokio::test]
async fn server_functions_answer_401_403_200() {
    let s = start().await;
    let form = [("query", "page=1&per_page=10")];

    let anonymous = s.call("users/list", &form, None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(anonymous).await, app::AppError::Unauthorized);

    let general = s.sign_in("gen.user", USER_PASSWORD).await;
    let forbidden = s.call("users/list", &form, Some(&general)).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(forbidden).await, app::AppError::Forbidden);

    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let ok = s.call("users/list", &form, Some(&admin)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let page: app::model::UserPage = ok.json().await.unwrap();
    assert_eq!(page.page.total, 2);
    assert_eq!(page.page.items[0].username, "gen.user");
    assert_eq!(page.page.items[0].role, "General user");
    s.stop().await;
}
#[tokio::test]
async fn pages_redirect_anonymous_and_refuse_the_unpermitted() {
    let s = start().await;
    let anon = s.client.get(s.url("/users?page=2")).send().await.unwrap();
    assert!(anon.status().is_redirection());
    assert_eq!(anon.headers()[LOCATION], "/login?next=/users%3Fpage%3D2");

    let general = s.sign_in("gen.user", USER_PASSWORD).await;
    let res = s
        .client
        .get(s.url("/users"))
        .header(COOKIE, &general)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let account = s
        .client
        .get(s.url("/account"))
        .header(COOKIE, &general)
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::OK);

    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let res = s
        .client
        .get(s.url("/users"))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("gen.user"),
        "the first page is server-rendered"
    );
    assert!(html.contains("Showing 1–2 of 2"));

    let missing = s.client.get(s.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}
