//! The one place the verifier reads the system clock. The protocol itself reads no clock;
//! the command line, the service and the tools stamp what they write with this.

use shared::Timestamp;

/// Why the system clock cannot give a protocol instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system clock is outside 1970-9999")]
pub struct ClockError;

/// The current instant, in whole seconds.
pub fn now() -> Result<Timestamp, ClockError> {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|_| ClockError)?.as_secs();
    i64::try_from(seconds).ok().and_then(Timestamp::from_unix).ok_or(ClockError)
}
