//! What the browser and the server share: the model (types sent between
//! them), errors, validation rules and the routes' access table. It imports
//! nothing else of Usher's, so both `app` and `usher-core` may import it.
pub mod error;
pub mod model;
pub mod routes;
pub mod url;
pub mod validation;

pub use error::AppError;
