//! The gRPC front end of `ccroute serve`, as Python sees it: `GrpcFront`
//! and `Call` wrap the `grpc_front` crate's [`Front`] and
//! [`grpc_front::Call`] (whose docs explain the model), converting
//! arguments and releasing the GIL while a method waits. Python's handler
//! threads take calls with `GrpcFront.next_call`, run the service and
//! answer with `Call.reply`, `Call.send` or `Call.finish`.

use std::collections::HashMap;
use std::time::Duration;

use grpc_front::{Bytes, Code, Front, Options, Shape, Tls};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::front_to_py;
use crate::gil::detached;

/// Seconds from Python as a duration (negative and NaN: zero).
fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// One call in progress, as Python's handler threads see it.
///
/// A unary call is answered once, with `reply` or `finish`; a streaming
/// call sends any number of messages and then `finish`es. Answers after
/// the end, or after the client went away, are dropped quietly
/// (`is_active` tells).
#[pyclass(module = "ccroute._ccroute", frozen)]
pub struct Call(grpc_front::Call);

#[pymethods]
impl Call {
    /// The method's short name (`"SubmitContact"`).
    #[getter]
    fn method(&self) -> &str {
        self.0.method()
    }

    /// The request message (unary and server-streaming methods); `None`
    /// for methods whose requests stream (read them with `next_request`).
    #[getter]
    fn request<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.0.request().map(|b| PyBytes::new(py, b))
    }

    /// The `authorization` header, if the client sent one.
    #[getter]
    fn authorization(&self) -> Option<&str> {
        self.0.authorization()
    }

    /// The `ccroute-tenant` header, if the client sent one.
    #[getter]
    fn tenant(&self) -> Option<&str> {
        self.0.tenant()
    }

    /// The client's address (`"ipv4:127.0.0.1:5000"`), as gRPC names peers.
    #[getter]
    fn peer(&self) -> String {
        self.0.peer_name()
    }

    /// Seconds left before the client's deadline (`None`: no deadline).
    fn time_remaining(&self) -> Option<f64> {
        self.0.time_remaining().map(|d| d.as_secs_f64())
    }

    /// False once the call has ended or the client went away.
    fn is_active(&self) -> bool {
        self.0.is_active()
    }

    /// The next request message of a client stream, waiting for it;
    /// `None` when the client has finished (or went away, or sent a
    /// message that could not be read: the call then already ended with
    /// that error), and always for methods whose requests do not stream.
    fn next_request<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let call = &self.0;
        detached(py, || call.next_request()).map(|b| PyBytes::new(py, &b))
    }

    /// Answers a unary call with `data` (an encoded response message) and
    /// ends it; False if the call had already ended.
    fn reply(&self, data: &[u8]) -> bool {
        self.0.reply(Bytes::copy_from_slice(data))
    }

    /// Sends one message on a streaming call, waiting while the client's
    /// buffer is full; False once the call has ended or the client left.
    fn send(&self, py: Python<'_>, data: &[u8]) -> bool {
        // Release the GIL only to wait: most sends find room at once.
        let call = &self.0;
        match call.try_send(Bytes::copy_from_slice(data)) {
            Ok(sent) => sent,
            Err(data) => detached(py, || call.send(data)),
        }
    }

    /// Ends the call with a status: `code` 0 (OK) ends a stream normally;
    /// any other code is an error with `message` and trailing `metadata`
    /// (ASCII keys and values). False if the call had already ended.
    #[pyo3(signature = (code, message="", metadata=Vec::new()))]
    fn finish(
        &self,
        py: Python<'_>,
        code: i32,
        message: &str,
        metadata: Vec<(String, String)>,
    ) -> PyResult<bool> {
        let status =
            grpc_front::status(Code::from(code), message, &metadata).map_err(front_to_py)?;
        let call = &self.0;
        Ok(match call.try_finish(status) {
            Ok(done) => done,
            Err(status) => detached(py, || call.finish(status)),
        })
    }

    fn __repr__(&self) -> String {
        format!("Call(method={:?}, peer={:?})", self.0.method(), self.0.peer_name())
    }
}

/// The running (or not yet started) server. All methods may be called
/// from any thread; `next_call` and `stop` wait without holding the GIL.
/// 32-byte SHA-256 digests, or `ValueError` naming a digest of another length.
fn digests_of(digests: Vec<Vec<u8>>) -> PyResult<Vec<[u8; 32]>> {
    digests
        .into_iter()
        .map(|d| {
            <[u8; 32]>::try_from(d.as_slice()).map_err(|_| {
                PyValueError::new_err(format!(
                    "token_sha256: a digest is 32 bytes, not {}",
                    d.len()
                ))
            })
        })
        .collect()
}

#[pyclass(module = "ccroute._ccroute", frozen)]
pub struct GrpcFront(Front);

#[pymethods]
impl GrpcFront {
    /// Binds `host:port` (port 0 picks a free one) and prepares the server;
    /// nothing is served before `start`.
    ///
    /// Args:
    ///     address: `"host:port"`.
    ///     methods: `{name: (client_streaming, server_streaming)}` of the
    ///         relayed service `ccroute.v1.Router`.
    ///     descriptors: an encoded `FileDescriptorSet` for reflection.
    ///     token_sha256: SHA-256 digests (32 bytes each) of the bearer
    ///         tokens every call but a health check must carry one of
    ///         (`None`: open); refused calls never reach Python, which
    ///         decides what a known token may call.
    ///     tls_cert, tls_key: PEM chain and key, both or neither.
    ///     max_message_bytes: largest request or response message.
    ///     max_concurrent_rpcs: calls in progress at once; more are
    ///         refused with RESOURCE_EXHAUSTED.
    #[new]
    #[pyo3(signature = (address, methods, descriptors, *, token_sha256=None, tls_cert=None, tls_key=None,
                        max_message_bytes=16 * 1024 * 1024, max_concurrent_rpcs=512))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        address: &str,
        methods: HashMap<String, (bool, bool)>,
        descriptors: Vec<u8>,
        token_sha256: Option<Vec<Vec<u8>>>,
        tls_cert: Option<Vec<u8>>,
        tls_key: Option<Vec<u8>>,
        max_message_bytes: usize,
        max_concurrent_rpcs: usize,
    ) -> PyResult<Self> {
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some(Tls { cert, key }),
            (None, None) => None,
            _ => return Err(PyValueError::new_err("TLS needs both a certificate and a key")),
        };
        let token_sha256 = token_sha256.map(digests_of).transpose()?;
        let options = Options {
            methods: methods.into_iter().map(|(k, (c, s))| (k, Shape::of(c, s))).collect(),
            descriptors: Some(descriptors),
            token_sha256,
            tls,
            max_message_bytes,
            max_concurrent_rpcs,
        };
        Front::bind(address, options).map(GrpcFront).map_err(front_to_py)
    }

    /// The bound port.
    #[getter]
    fn port(&self) -> u16 {
        self.0.port()
    }

    /// Starts serving (once).
    fn start(&self) -> PyResult<()> {
        self.0.start().map_err(front_to_py)
    }

    /// The next call for Python to handle, waiting up to `timeout` seconds;
    /// `None` on timeout or once the server has stopped.
    fn next_call(&self, py: Python<'_>, timeout: f64) -> Option<Call> {
        let front = &self.0;
        detached(py, || front.next_call(seconds(timeout))).map(Call)
    }

    /// Replaces the SHA-256 digests of the accepted tokens while serving
    /// (calls already admitted keep going). `False` for a front started
    /// without tokens: it stays open.
    fn set_token_sha256(&self, token_sha256: Vec<Vec<u8>>) -> PyResult<bool> {
        Ok(self.0.set_token_sha256(digests_of(token_sha256)?))
    }

    /// The calls refused for their token since the last call: a list of
    /// `(path, message)` (never the token) and how many more were refused
    /// than kept.
    fn take_refusals(&self) -> (Vec<(String, String)>, u64) {
        self.0.take_refusals()
    }

    /// Sets what health checks answer for `service` (`""`: the server).
    fn set_health(&self, service: &str, serving: bool) {
        self.0.set_health(service, serving);
    }

    /// Stops accepting calls, waits up to `grace` seconds for those in
    /// progress, then ends what is left (their clients see CANCELLED or
    /// UNAVAILABLE) and frees the port. Idempotent.
    fn stop(&self, py: Python<'_>, grace: f64) {
        let front = &self.0;
        detached(py, || front.stop(seconds(grace)));
    }

    /// True once `stop` has begun.
    #[getter]
    fn stopping(&self) -> bool {
        self.0.stopping()
    }
}
