//! One module per screen. Each asks the service for its own answer when it is shown, and
//! renders only what the answer says: no screen computes a consent state itself.

pub mod not_answered;
pub mod overview;
pub mod paper;
pub mod photo_check;
pub mod requests;
pub mod student;
