//! The Info tab: every field, and the edit form.
use super::*;

#[component]
pub(super) fn InfoTab(detail: UserDetail, can_edit: bool) -> impl IntoView {
    let u = detail.user;
    let edit = format!("/users/{}?edit=1", u.username);
    let rows: Vec<(&str, String)> = vec![
        ("Username", format!("{} (cannot be changed)", u.username)),
        ("First name", u.first_name),
        ("Last name", u.last_name),
        ("Email", u.email),
        ("Phone", u.phone.unwrap_or_else(|| "—".into())),
        ("Role", u.role),
        (
            "Internal/External",
            if u.external { "External" } else { "Internal" }.into(),
        ),
        ("Status", u.status.label().into()),
        ("2FA", if u.two_factor { "On" } else { "Off" }.into()),
        ("Time added", short_time(&u.created_at)),
        (
            "Password changed",
            detail
                .password_changed_at
                .map(|t| short_time(&t))
                .unwrap_or_else(|| "Never".into()),
        ),
        (
            "Last login",
            u.last_login_at
                .map(|t| short_time(&t))
                .unwrap_or_else(|| "Never".into()),
        ),
    ];
    view! {
        <dl class="grid max-w-2xl grid-cols-[max-content_1fr] gap-x-8 gap-y-2 text-sm">
            {rows.into_iter().map(|(k, v)| view! {
                <dt class="text-slate-500">{k}</dt><dd class="min-w-0 break-words">{v}</dd>
            }).collect_view()}
        </dl>
        {can_edit.then(|| view! {
            <A href=edit attr:class="mt-4 inline-block rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Edit"</A>
        })}
    }
}

/// The edit form: every field but the username (which stays, and says so).
#[component]
pub(super) fn EditForm(detail: UserDetail) -> impl IntoView {
    let update = expect_context::<ServerAction<UpdateUser>>();
    let options = expect_context::<Choices>();
    let u = detail.user;
    let field_error = move |field: &'static str| {
        update.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let input = move |label: &'static str,
                      name: &'static str,
                      kind: &'static str,
                      value: String| {
        let id = format!("edit-{name}");
        view! {
            <div class="space-y-1">
                <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
                <input id=id name=name type=kind value=value required=name != "phone"
                    class=style::INPUT/>
                <p class="text-sm text-red-700">{move || field_error(name)}</p>
            </div>
        }
    };
    let role_name = u.role.clone();
    view! {
        <ActionForm action=update attr:class="max-w-2xl space-y-4">
            <input type="hidden" name="username" value=u.username.clone()/>
            <p class="text-sm">
                <span class="font-medium">"Username: "</span>{u.username.clone()}
                <span class="ml-2 text-slate-500">"Usernames cannot be changed."</span>
            </p>
            <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
                {input("First name", "first_name", "text", u.first_name.clone())}
                {input("Last name", "last_name", "text", u.last_name.clone())}
                {input("Email", "email", "email", u.email.clone())}
                {input("Phone (optional)", "phone", "tel", u.phone.clone().unwrap_or_default())}
                <div class="space-y-1">
                    <label for="edit-role" class="block text-sm font-medium text-slate-700">"Role"</label>
                    <Suspense>
                        {
                            let role_name = role_name.clone();
                            move || options.get().map(|o| view! {
                                <select id="edit-role" name="role" class=style::INPUT>
                                    {o.givable_roles().into_iter().map(|(id, name)| {
                                        let selected = name == role_name;
                                        view! { <option value=id selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            })
                        }
                    </Suspense>
                </div>
                <fieldset>
                    <legend class="text-sm font-medium text-slate-700">"Internal/External"</legend>
                    <label class="mr-4 text-sm"><input type="radio" name="origin" value="internal" checked=!u.external/>" Internal"</label>
                    <label class="text-sm"><input type="radio" name="origin" value="external" checked=u.external/>" External"</label>
                </fieldset>
            </div>
            {move || update.value().get().and_then(Result::err).filter(|e| !matches!(e, crate::AppError::Validation(_)))
                .map(|e| view! { <ErrorAlert message=e.to_string()/> })}
            <div class="flex gap-2">
                <button type="submit" class=style::PRIMARY>"Save changes"</button>
                <A href=format!("/users/{}", u.username) attr:class="rounded-md border border-slate-300 px-4 py-2 text-sm">"Cancel"</A>
            </div>
        </ActionForm>
    }
}
