//! The one error type of the engine.

use std::fmt;

/// What kind of mistake an [`Error`] reports; callers match on this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An id (agent, contact, channel, queue) that the router does not know.
    UnknownId,
    /// An id that is already in use.
    DuplicateId,
    /// A value out of range or malformed: a level outside 1–10, a negative,
    /// NaN or backwards time, an unknown channel or queue name, a bad capacity.
    InvalidInput,
    /// The call does not fit the current state (accepting a contact that was
    /// not offered, completing one that is still waiting, ...).
    InvalidState,
    /// A forced assignment would exceed an agent's capacity or channel maximum.
    Capacity,
    /// The queue holds its maximum number of waiting contacts.
    QueueFull,
    /// An update named the version it expected (`if_version`) and the
    /// contact is at another one: someone else changed it first.
    VersionConflict,
    /// A snapshot could not be read (corrupt, or written by another format version).
    Snapshot,
}

/// An error raised by the router. The message is lower case and names the
/// offending value; a call that returns an error leaves the router unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// Builds an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    /// The kind of error, for matching.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message (no kind prefix).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn unknown(what: &str, id: &str) -> Self {
        Error::new(ErrorKind::UnknownId, format!("unknown {what} {id:?}"))
    }

    pub(crate) fn duplicate(what: &str, id: &str) -> Self {
        Error::new(ErrorKind::DuplicateId, format!("{what} {id:?} already exists"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn state(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidState, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
