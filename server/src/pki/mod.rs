//! Certificates at the edge: the HTTPS listener that asks for client
//! certificates, certificate sign-in, and the public CA and CRL files. The
//! CA's own functions live in `usher_core::pki`.
pub mod files;
pub mod https;
pub mod sign_in;
