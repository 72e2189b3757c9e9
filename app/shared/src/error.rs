//! One error type for every server function, serialisable so the browser can
//! show it: field errors beside their fields, the rest as a toast.
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in.")]
    Unauthorized,
    #[error("You do not have permission to do this.")]
    Forbidden,
    /// Delegated administration's ceiling refused the act (403): the message
    /// names the rule ("their role has permissions you do not hold").
    #[error("{0}")]
    Refused(String),
    #[error("Choose a new password before anything else.")]
    PasswordChangeRequired,
    #[error("Not found.")]
    NotFound,
    #[error("The username or password is incorrect.")]
    InvalidCredentials,
    #[error("{0}")]
    InvalidLink(String),
    #[error("Please correct the highlighted fields.")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// Too many failed attempts: try again after this many seconds (429,
    /// with `Retry-After`).
    #[error("Too many failed sign-ins. Try again in {0} seconds.")]
    TooManyAttempts(u64),
    #[error("{0}")]
    BadRequest(String),
    #[error("Something went wrong on the server (reference {0}).")]
    Internal(String),
    #[error("The request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The one place where a domain error becomes an HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::Refused(_) | AppError::PasswordChangeRequired => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyAttempts(_) => 429,
            AppError::InvalidLink(_) => 410,
            AppError::Validation(_) => 422,
            AppError::BadRequest(_) => 400,
            AppError::Internal(_) | AppError::Transport(_) => 500,
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// One line for places that cannot show fields separately (a redirect
    /// back to a form without JavaScript): every field message, or the error.
    pub fn summary(&self) -> String {
        match self {
            AppError::Validation(fields) => fields
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }

    /// The message for one field, when this is a validation error naming it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::ServerError(message) => AppError::Internal(message),
            other => AppError::Transport(other.to_string()),
        }
    }
}
