//! The front end's one error type: what failed when a front was bound,
//! started or given a status to send.

use std::fmt;

/// What kind of failure an [`Error`] is, for callers that map it (to a
/// Python exception, to an exit code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The address could not be bound (taken, not local, malformed).
    Bind,
    /// The TLS certificate or key was not usable.
    Tls,
    /// The descriptor set for reflection could not be read.
    Descriptors,
    /// A status's metadata key or value was not a valid ASCII header.
    Metadata,
    /// The front was started twice, or its runtime could not start.
    Runtime,
}

/// A failure of the front end; its `Display` is lower-case and names the
/// offending value.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    /// The kind of failure, for matching.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, as `Display` shows it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
