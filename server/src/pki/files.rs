//! Public PKI files: the CA certificate (PEM and DER), for browsers and
//! keychains to trust, and for relying parties to verify against.
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use usher_core::services::ca;
use usher_core::state::AppState;

async fn ca_pem_or_404(state: &AppState) -> Result<String, Response> {
    match ca::certificate(&state.db).await {
        Ok(Some(pem)) => Ok(pem),
        Ok(None) => {
            Err((StatusCode::NOT_FOUND, "Usher's CA has not been made yet").into_response())
        }
        Err(error) => {
            tracing::warn!(%error, "could not read the CA certificate");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn download(content_type: &'static str, name: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /pki/ca.pem`
pub async fn ca_pem(State(state): State<AppState>) -> Response {
    match ca_pem_or_404(&state).await {
        Ok(pem) => download("application/x-pem-file", "usher-ca.pem", pem.into_bytes()),
        Err(response) => response,
    }
}

/// `GET /pki/ca.der`
pub async fn ca_der(State(state): State<AppState>) -> Response {
    let pem = match ca_pem_or_404(&state).await {
        Ok(pem) => pem,
        Err(response) => return response,
    };
    match ca::der(&pem) {
        Ok(der) => download("application/pkix-cert", "usher-ca.der", der),
        Err(error) => {
            tracing::warn!(%error, "could not convert the CA certificate");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn crl_pem(state: &AppState) -> Result<String, Response> {
    usher_core::services::crl::refresh_with_key(&state.db, &state.ca_key)
        .await
        .map(|p| p.pem)
        .map_err(|error| {
            tracing::warn!(%error, "could not read the CRL");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })
}

/// `GET /pki/crl.pem`: the current CRL (reissued first when out of date).
pub async fn crl_as_pem(State(state): State<AppState>) -> Response {
    match crl_pem(&state).await {
        Ok(pem) => download("application/x-pem-file", "usher.crl.pem", pem.into_bytes()),
        Err(response) => response,
    }
}

/// `GET /pki/crl.der`: the address written into every client certificate.
pub async fn crl_as_der(State(state): State<AppState>) -> Response {
    let pem = match crl_pem(&state).await {
        Ok(pem) => pem,
        Err(response) => return response,
    };
    match usher_core::pki::pem_to_der(&pem) {
        Ok(der) => download("application/pkix-crl", "usher.crl", der),
        Err(error) => {
            tracing::warn!(%error, "could not convert the CRL");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
