//! The one integration-test binary: the real router over real HTTP, on the
//! back-end chosen by USHER_TEST_BACKEND. (Each file under tests/ is its own
//! slow link, so add modules here rather than files.)
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect::Policy, Client, StatusCode};
use std::net::SocketAddr;
use usher_core::services::{passwords, roles, setup, users};
use usher_core::state::AppState;
use usher_core::testkit::{self, TestDb};

mod server;
use server::*;

mod authorization;
mod authorization_matrix;
mod certificates;
mod delegation;
mod export_import;
mod mutual_tls;
mod sessions;
