//! The `usher` binary: the command line, the HTTP(S) listeners and router,
//! and the benchmarks. The domain lives in `usher-core`, the pages and server
//! functions in `app`.
pub mod bench;
pub mod cli;
pub mod http;
pub mod pki;
pub mod serve;
