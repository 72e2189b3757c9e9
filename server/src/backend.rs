//! The server's side of `app::ssr::Backend`: server functions call these,
//! which call the services.
use app::model::{CurrentUser, NewUserRequest, UserDetail, UserPage, UserQuery};
use app::ssr::{Backend, RequestMeta, SessionCookie};
use app::AppError;
use async_trait::async_trait;

use crate::http::cookies;
use crate::services::{
    auth, bulk, directory, groups, lifecycle, policy, roles, sessions, setup, users,
};
use crate::state::AppState;

mod certificates;
mod import;
mod invitations;
mod mail;
mod passwords;
mod recovery;
mod registration;

pub struct ServerBackend {
    state: AppState,
}

impl ServerBackend {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The base of links in mail: saved on `/settings/mail`, else the
    /// environment's (never the request's Host header).
    async fn public_url(&self) -> String {
        let env = self.state.config.public_url(&self.state.leptos);
        match crate::services::mail_settings::effective(&self.state.db, &self.state.config, &env)
            .await
        {
            Ok(effective) => effective.public_url,
            Err(error) => {
                tracing::warn!(%error, "could not read the mail settings");
                env
            }
        }
    }

    /// Signs in a user whose identity a one-time link or set-up just proved.
    async fn open_session(
        &self,
        user: &crate::db::entities::user::Model,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError> {
        let opened = auth::open_session(
            &self.state.db,
            self.state.sessions,
            user,
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
        )
        .await?;
        Ok((opened.user, self.cookie_for(&opened.token, meta)))
    }

    fn cookie_for(&self, token: &str, meta: &RequestMeta) -> SessionCookie {
        let max_age = self.state.sessions.absolute.as_secs() as i64;
        SessionCookie(cookies::session(Some(token), meta.secure, max_age))
    }
}

#[async_trait]
impl Backend for ServerBackend {
    async fn sign_in(
        &self,
        login: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError> {
        let signed_in = auth::sign_in(
            &self.state.db,
            self.state.sessions,
            auth::SignIn {
                login,
                password,
                ip: meta.ip.as_deref(),
                user_agent: meta.user_agent.as_deref(),
            },
        )
        .await?;
        Ok((signed_in.user, self.cookie_for(&signed_in.token, meta)))
    }

    async fn sign_out(&self, caller: Option<&CurrentUser>, meta: &RequestMeta) -> SessionCookie {
        if let Some(id) = &meta.session_id {
            if let Err(error) = sessions::end(&self.state.db, id).await {
                tracing::error!(%error, "could not end session");
            }
            let _ = crate::services::audit::record(
                &self.state.db,
                crate::services::audit::Event {
                    action: "auth.sign_out",
                    actor_name: caller.map(|c| c.username.as_str()),
                    ip: meta.ip.as_deref(),
                    success: true,
                    ..Default::default()
                },
            )
            .await;
        }
        SessionCookie(cookies::session(None, meta.secure, 0))
    }

    async fn check_setup_token(&self, token: &str) -> Result<(), AppError> {
        setup::check_token(&self.state.db, token).await
    }

    async fn complete_setup(
        &self,
        token: &str,
        username: &str,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError> {
        let admin = setup::complete(
            &self.state.db,
            token,
            setup::AdminAccount {
                username,
                email,
                password,
            },
            meta.ip.as_deref(),
            &self.public_url().await,
        )
        .await?;
        self.open_session(&admin, meta).await
    }

    async fn list_users(&self, query: UserQuery) -> Result<UserPage, AppError> {
        directory::page(&self.state.db, &query).await
    }

    async fn create_user(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        request: NewUserRequest,
    ) -> Result<String, AppError> {
        let actor = actor_of(actor, meta)?;
        let role_id = uuid::Uuid::parse_str(&request.role)
            .map_err(|_| AppError::field("role", "Choose a role."))?;
        let group_ids = request
            .groups
            .iter()
            .filter(|g| !g.is_empty())
            .map(|g| uuid::Uuid::parse_str(g))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::field("groups", "A chosen group no longer exists."))?;
        let created = users::create(
            &self.state.db,
            &actor,
            users::CreateUser {
                input: request.input,
                role_id,
                group_ids,
                external: request.external,
                active: request.active,
            },
            &self.public_url().await,
        )
        .await?;
        Ok(created.username)
    }

    async fn suggest_password(&self) -> Result<String, AppError> {
        Ok(users::generate_password())
    }

    async fn list_audit(
        &self,
        query: app::model::AuditQuery,
    ) -> Result<app::model::AuditPage, AppError> {
        crate::services::audit::list(&self.state.db, &query)
            .await
            .map_err(crate::services::db_error)
    }

    async fn list_groups(&self) -> Result<Vec<app::model::GroupView>, AppError> {
        groups::list(&self.state.db).await
    }

    async fn create_group(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        groups::create(&self.state.db, &actor_of(actor, meta)?, name, description).await?;
        Ok(())
    }

    async fn update_group(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
        groups::update(
            &self.state.db,
            &actor_of(actor, meta)?,
            id,
            name,
            description,
        )
        .await
    }

    async fn delete_group(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
    ) -> Result<(), AppError> {
        let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
        groups::delete(&self.state.db, &actor_of(actor, meta)?, id).await
    }

    async fn set_group_member(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        group: &str,
        username: &str,
        member: bool,
    ) -> Result<(), AppError> {
        // The type-ahead sends a group's name; the remove buttons its id.
        let id = match uuid::Uuid::parse_str(group) {
            Ok(id) => Some(id),
            Err(_) => groups::find_by_name(&self.state.db, group).await?,
        }
        .ok_or_else(|| AppError::field("group", "Choose an existing group."))?;
        groups::set_member(
            &self.state.db,
            &actor_of(actor, meta)?,
            id,
            username,
            member,
        )
        .await
    }

    async fn list_roles(&self) -> Result<Vec<app::model::RoleView>, AppError> {
        roles::list(&self.state.db).await
    }

    async fn create_role(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        name: &str,
        description: &str,
        permissions: &[app::model::Permission],
    ) -> Result<(), AppError> {
        roles::create(
            &self.state.db,
            &actor_of(actor, meta)?,
            name,
            description,
            permissions,
        )
        .await?;
        Ok(())
    }

    async fn update_role(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        name: &str,
        description: &str,
        permissions: &[app::model::Permission],
    ) -> Result<(), AppError> {
        let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
        roles::update(
            &self.state.db,
            &actor_of(actor, meta)?,
            id,
            name,
            description,
            permissions,
        )
        .await
    }

    async fn delete_role(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
    ) -> Result<(), AppError> {
        let id = uuid::Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
        roles::delete(&self.state.db, &actor_of(actor, meta)?, id).await
    }

    async fn user_detail(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<UserDetail, AppError> {
        lifecycle::detail(&self.state.db, &actor_of(actor, meta)?, username).await
    }

    async fn set_user_active(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        active: bool,
    ) -> Result<(), AppError> {
        lifecycle::set_active(&self.state.db, &actor_of(actor, meta)?, username, active).await?;
        if !active {
            self.publish_crl().await;
        }
        Ok(())
    }

    async fn update_user(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        changes: app::model::UserChanges,
    ) -> Result<(), AppError> {
        let role_id = uuid::Uuid::parse_str(&changes.role)
            .map_err(|_| AppError::field("role", "Choose a role."))?;
        let changes = lifecycle::UserChanges {
            first_name: changes.first_name,
            last_name: changes.last_name,
            email: changes.email,
            phone: changes.phone,
            role_id,
            external: changes.external,
        };
        lifecycle::update(&self.state.db, &actor_of(actor, meta)?, username, changes).await
    }

    async fn delete_user(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<(), AppError> {
        lifecycle::delete(&self.state.db, &actor_of(actor, meta)?, username).await?;
        self.publish_crl().await;
        Ok(())
    }

    async fn directory_options(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
    ) -> Result<app::model::FilterChoices, AppError> {
        directory::options(&self.state.db, &actor_of(actor, meta)?).await
    }

    async fn policy(&self) -> Result<app::validation::Policy, AppError> {
        policy::load(&self.state.db)
            .await
            .map_err(crate::services::db_error)
    }

    async fn save_policy(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        new: app::validation::Policy,
    ) -> Result<(), AppError> {
        policy::save(&self.state.db, &actor_of(actor, meta)?, new).await
    }

    async fn bulk_preview(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        request: &app::model::BulkRequest,
    ) -> Result<app::model::BulkPreview, AppError> {
        bulk::preview(&self.state.db, &actor_of(actor, meta)?, request).await
    }

    async fn start_bulk(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        request: &app::model::BulkRequest,
        target: Option<&str>,
    ) -> Result<String, AppError> {
        let actor = actor_of(actor, meta)?;
        let public_url = self.public_url().await;
        let id = bulk::start_with_links(&self.state.db, &actor, request, target, Some(&public_url))
            .await?;
        self.state.jobs.notify_one();
        Ok(id.to_string())
    }

    async fn job(&self, id: &str) -> Result<app::model::JobView, AppError> {
        let job = crate::services::jobs::find(&self.state.db, id).await?;
        match job.kind.as_str() {
            bulk::KIND => Ok(bulk::view(&job)),
            crate::services::import::job::KIND => Ok(crate::services::import::job::view(&job)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// The signed-in caller as the services' `Actor`.
/// The role and group ids a form sent for new users.
fn parse_choice(role: &str, groups: &[String]) -> Result<(uuid::Uuid, Vec<uuid::Uuid>), AppError> {
    let role_id =
        uuid::Uuid::parse_str(role).map_err(|_| AppError::field("role", "Choose a role."))?;
    let group_ids = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| uuid::Uuid::parse_str(g))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::field("groups", "A chosen group no longer exists."))?;
    Ok((role_id, group_ids))
}

fn actor_of(user: &CurrentUser, meta: &RequestMeta) -> Result<users::Actor, AppError> {
    Ok(users::Actor {
        id: uuid::Uuid::parse_str(&user.id).map_err(|_| AppError::Unauthorized)?,
        username: user.username.clone(),
        ip: meta.ip.clone(),
    })
}
