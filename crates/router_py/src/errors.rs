//! The one place where core errors become Python exceptions.
//!
//! The exception classes live in `ccroute.errors` (Python), so that they can
//! also subclass `KeyError` and `ValueError`; this module only picks the
//! class by the core error's kind. The gRPC front end's errors (binding,
//! TLS, descriptors) are the server's start-up failures and map to the
//! standard exceptions that say the same ([`front_to_py`]). The classes are looked up once, when
//! `ccroute._ccroute` is imported ([`init`]): a missing one fails the import
//! with an `ImportError` naming it, rather than turning a later routing
//! error into something else.

use grpc_front::ErrorKind as FrontErrorKind;
use pyo3::exceptions::{PyException, PyImportError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;
use router_core::{Error, ErrorKind};

/// The `ccroute.errors` classes, one per core error kind and one for faults
/// of the engine itself.
struct Classes {
    unknown_id: Py<PyType>,
    duplicate_id: Py<PyType>,
    invalid_input: Py<PyType>,
    invalid_state: Py<PyType>,
    capacity: Py<PyType>,
    queue_full: Py<PyType>,
    version_conflict: Py<PyType>,
    snapshot: Py<PyType>,
    internal: Py<PyType>,
}

static CLASSES: GILOnceCell<Classes> = GILOnceCell::new();

impl Classes {
    fn load(py: Python<'_>) -> PyResult<Self> {
        let module = py.import("ccroute.errors").map_err(|e| {
            PyImportError::new_err(format!("ccroute._ccroute needs ccroute.errors: {e}"))
        })?;
        let class = |name: &str| -> PyResult<Py<PyType>> {
            let missing = || {
                PyImportError::new_err(format!(
                    "ccroute._ccroute needs the exception class ccroute.errors.{name}, \
                     which is missing"
                ))
            };
            let found = module.getattr(name).map_err(|_| missing())?;
            let class = found.downcast_into::<PyType>().map_err(|_| missing())?;
            if !class.is_subclass_of::<PyException>()? {
                return Err(missing());
            }
            Ok(class.unbind())
        };
        Ok(Classes {
            unknown_id: class("UnknownId")?,
            duplicate_id: class("DuplicateId")?,
            invalid_input: class("InvalidInput")?,
            invalid_state: class("InvalidState")?,
            capacity: class("CapacityError")?,
            queue_full: class("QueueFull")?,
            version_conflict: class("VersionConflict")?,
            snapshot: class("SnapshotError")?,
            internal: class("InternalError")?,
        })
    }

    fn of(&self, kind: ErrorKind) -> &Py<PyType> {
        match kind {
            ErrorKind::UnknownId => &self.unknown_id,
            ErrorKind::DuplicateId => &self.duplicate_id,
            ErrorKind::InvalidInput => &self.invalid_input,
            ErrorKind::InvalidState => &self.invalid_state,
            ErrorKind::Capacity => &self.capacity,
            ErrorKind::QueueFull => &self.queue_full,
            ErrorKind::VersionConflict => &self.version_conflict,
            ErrorKind::Snapshot => &self.snapshot,
        }
    }
}

/// Looks the exception classes up; called once, when the module is
/// imported, so that a missing class fails the import.
pub fn init(py: Python<'_>) -> PyResult<()> {
    CLASSES.get_or_try_init(py, || Classes::load(py)).map(|_| ())
}

/// An exception of the class `pick` chooses, carrying `message`.
fn raise(pick: impl FnOnce(&Classes) -> &Py<PyType>, message: String) -> PyErr {
    Python::with_gil(|py| match CLASSES.get_or_try_init(py, || Classes::load(py)) {
        Ok(classes) => PyErr::from_type(pick(classes).bind(py).clone(), (message,)),
        Err(e) => e,
    })
}

/// Converts a core error into the matching `ccroute` exception.
pub fn to_py(err: Error) -> PyErr {
    let kind = err.kind();
    raise(|c| c.of(kind), err.message().to_owned())
}

/// A core `InvalidInput` error raised while converting Python arguments.
pub fn invalid(message: impl Into<String>) -> PyErr {
    to_py(Error::new(ErrorKind::InvalidInput, message))
}

/// A core `InvalidState` error: a call made out of order.
pub fn invalid_state(message: impl Into<String>) -> PyErr {
    to_py(Error::new(ErrorKind::InvalidState, message))
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
    raise(|c| &c.internal, message.into())
}

/// Converts a gRPC front end error into the standard exception that says
/// the same: `OSError` for an address, `ValueError` for bad material,
/// `RuntimeError` for a front used out of order.
pub fn front_to_py(err: grpc_front::Error) -> PyErr {
    let message = err.to_string();
    match err.kind() {
        FrontErrorKind::Bind => PyOSError::new_err(message),
        FrontErrorKind::Tls | FrontErrorKind::Descriptors | FrontErrorKind::Metadata => {
            PyValueError::new_err(message)
        }
        FrontErrorKind::Runtime => PyRuntimeError::new_err(message),
    }
}
