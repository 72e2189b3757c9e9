//! The HTTPS listener (rustls): the same application as plain HTTP, plus
//! client certificates for certificate sign-in. It asks for a certificate
//! but does not require one, checks a presented one against Usher's CA and
//! the current CRL, and picks up a new CRL without a restart.
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig,
    SignatureScheme,
};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use usher_core::pki::{self, Ca};
use usher_core::services::crl;
use usher_core::state::AppState;

/// The client certificate of the connection a request came on (HTTPS only).
#[derive(Clone, Debug)]
pub struct TlsPeer(pub Option<CertificateDer<'static>>);

/// The listener's own certificate is made at start for this long.
const SERVER_CERT_DAYS: i64 = 90;
/// How often each instance looks for a new CRL.
const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// Checks the chain and the CRL, but lets a certificate that is only
/// revoked or out of date finish the handshake: sign-in then refuses it
/// with a message that says why, instead of a bare TLS alert.
#[derive(Debug)]
struct ExplainedRefusals(Arc<dyn ClientCertVerifier>);

impl ClientCertVerifier for ExplainedRefusals {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        match self.0.verify_client_cert(end_entity, intermediates, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::Revoked
                | CertificateError::Expired
                | CertificateError::ExpiredContext { .. },
            )) => Ok(ClientCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The TLS settings for a CA, its current CRL and the listener's host names.
pub fn server_config(
    ca: &Ca,
    crl_pem: &str,
    hosts: &[String],
) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let ca_der = CertificateDer::from(pki::pem_to_der(&ca.cert_pem)?);
    let mut roots = RootCertStore::empty();
    roots.add(ca_der.clone())?;
    let crl = CertificateRevocationListDer::from(pki::pem_to_der(crl_pem)?);
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .with_crls([crl])
        .allow_unauthenticated()
        .build()?;
    let own = pki::issue_server(ca, hosts, SERVER_CERT_DAYS, time::OffsetDateTime::now_utc())?;
    let chain = vec![CertificateDer::from(own.cert_der.clone()), ca_der];
    let key = PrivateKeyDer::Pkcs8(own.key_der.clone().into());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(ExplainedRefusals(verifier)))
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The settings in use and the CRL number they were made with.
struct Current {
    config: Arc<ServerConfig>,
    crl_number: u64,
    made_at: std::time::Instant,
}

/// Binds `addr` and serves `app` over TLS until the task is dropped.
pub async fn spawn(
    state: AppState,
    app: Router,
    addr: SocketAddr,
    hosts: Vec<String>,
) -> anyhow::Result<SocketAddr> {
    let ca = usher_core::services::ca::load(&state.db, &state.ca_key).await?;
    let published = crl::refresh(&state.db, &ca).await?;
    let current = Arc::new(RwLock::new(Current {
        config: server_config(&ca, &published.pem, &hosts)?,
        crl_number: published.number,
        made_at: std::time::Instant::now(),
    }));
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(keep_current(state, ca, hosts, current.clone()));
    tokio::spawn(async move {
        loop {
            let (tcp, remote) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "HTTPS accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let config = current.read().expect("not poisoned").config.clone();
            tokio::spawn(serve_connection(
                TlsAcceptor::from(config),
                tcp,
                remote,
                app.clone(),
            ));
        }
    });
    Ok(bound)
}

async fn serve_connection(
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    remote: SocketAddr,
    app: Router,
) {
    let tls = match acceptor.accept(tcp).await {
        Ok(tls) => tls,
        Err(error) => {
            tracing::info!(%remote, %error, "TLS handshake refused");
            return;
        }
    };
    let peer = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|c| c.clone().into_owned());
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req.extensions_mut().insert(TlsPeer(peer.clone()));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
    let served = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection_with_upgrades(TokioIo::new(tls), service)
        .await;
    if let Err(error) = served {
        tracing::debug!(%remote, %error, "HTTPS connection ended");
    }
}

/// Reissues the CRL when due (any instance may) and rebuilds the TLS
/// settings when its number changed or the listener's certificate is a
/// month old; connections after that use the new settings.
async fn keep_current(state: AppState, ca: Ca, hosts: Vec<String>, current: Arc<RwLock<Current>>) {
    let mut tick = tokio::time::interval(RELOAD_EVERY);
    loop {
        tick.tick().await;
        let published = match crl::refresh(&state.db, &ca).await {
            Ok(p) => p,
            Err(error) => {
                tracing::warn!(%error, "could not refresh the CRL");
                continue;
            }
        };
        let (number, age) = {
            let now = current.read().expect("not poisoned");
            (now.crl_number, now.made_at.elapsed())
        };
        if number == published.number && age < Duration::from_secs(30 * 86400) {
            continue;
        }
        match server_config(&ca, &published.pem, &hosts) {
            Ok(config) => {
                *current.write().expect("not poisoned") = Current {
                    config,
                    crl_number: published.number,
                    made_at: std::time::Instant::now(),
                };
                tracing::info!(crl = published.number, "HTTPS listener uses the new CRL");
            }
            Err(error) => tracing::warn!(%error, "could not rebuild the TLS settings"),
        }
    }
}
