//! One module per page.
pub mod audit;
pub mod home;
pub mod inspect;
pub mod not_found;
pub mod package;
