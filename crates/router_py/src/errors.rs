//! The one place where core errors become Python exceptions.
//!
//! The exception classes live in `ccroute.errors` (Python), so that they can
//! also subclass `KeyError` and `ValueError`; this module only picks the
//! class by the core error's kind.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use router_core::{Error, ErrorKind};

/// The `ccroute.errors` class name for a core error kind.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::UnknownId => "UnknownId",
        ErrorKind::DuplicateId => "DuplicateId",
        ErrorKind::InvalidInput => "InvalidInput",
        ErrorKind::InvalidState => "InvalidState",
        ErrorKind::Capacity => "CapacityError",
        ErrorKind::QueueFull => "QueueFull",
        ErrorKind::Snapshot => "SnapshotError",
    }
}

/// Converts a core error into the matching `ccroute` exception.
pub fn to_py(err: Error) -> PyErr {
    Python::with_gil(|py| {
        let class = py.import("ccroute.errors").and_then(|m| m.getattr(class_name(err.kind())));
        match class {
            Ok(class) => match class.call1((err.message().to_owned(),)) {
                Ok(exc) => PyErr::from_value(exc),
                Err(e) => e,
            },
            Err(_) => PyRuntimeError::new_err(err.message().to_owned()),
        }
    })
}

/// A core `InvalidInput` error raised while converting Python arguments.
pub fn invalid(message: impl Into<String>) -> PyErr {
    to_py(Error::new(ErrorKind::InvalidInput, message))
}

/// Extension for core results.
pub trait IntoPyResult<T> {
    /// Maps the error with [`to_py`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for router_core::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A `ccroute.errors.InternalError`: a fault of the engine, not of the input.
pub fn internal(message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::with_gil(|py| {
        match py.import("ccroute.errors").and_then(|m| m.getattr("InternalError")) {
            Ok(class) => match class.call1((message.clone(),)) {
                Ok(exc) => PyErr::from_value(exc),
                Err(e) => e,
            },
            Err(_) => PyRuntimeError::new_err(message),
        }
    })
}
