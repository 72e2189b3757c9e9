//! The Usher server: configuration, persistence, services and HTTP.
pub mod backend;
pub mod bench;
pub mod bench_import;
pub mod bench_sign_in;
pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod https;
pub mod mail;
pub mod pki;
pub mod serve;
pub mod services;
pub mod state;
#[doc(hidden)]
pub mod testkit;
