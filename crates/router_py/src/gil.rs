//! Releasing the GIL: the one way this crate lets other Python threads run
//! while Rust works or waits.
//!
//! A long core call (a large batch, a snapshot restore, a simulation run)
//! and a blocking wait (the gRPC front end's next call, a full stream
//! buffer) both go through [`detached`]. The caller first copies every
//! Python input into Rust values: nothing Python-owned crosses into the
//! closure, which the `Send` bound checks.

use pyo3::Python;

/// Runs `f` with the GIL released and returns its result.
pub fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
    py.allow_threads(f)
}
