//! The gRPC front end of `ccroute serve`: HTTP/2, TLS, framing, health
//! checking and reflection in Rust (tonic), so that the per-call transport
//! cost stays out of the Python interpreter.
//!
//! The front end knows nothing of the protocol's messages. Every call to
//! the routed service (`ccroute.v1.Router`) is handed to Python as a
//! [`Call`]: the method name, the request bytes (or a stream of them), the
//! `authorization` header and the deadline. Python's handler threads take
//! calls with [`GrpcFront::next_call`], run the service and answer with
//! [`Call::reply`], [`Call::send`] or [`Call::finish`]. Health checking
//! (`grpc.health.v1.Health`, open to all) and reflection (v1 and v1alpha,
//! behind the same bearer tokens as the service) are served here.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use crate::gil::detached;
use grpc_raw::{parse_timeout, BytesCodec};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::Stream;
use tonic::body::Body;
use tonic::codec::Streaming;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::server::{Grpc, NamedService, StreamingService};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Code, Request, Response, Status};
use tonic_health::ServingStatus;

/// Responses buffered per streaming call before `Call.send` waits.
const STREAM_BUFFER: usize = 16;
/// Request messages read ahead of the handler on a client stream.
const REQUEST_BUFFER: usize = 4;

type ReplyStream = Pin<Box<dyn Stream<Item = Result<Bytes, Status>> + Send>>;

/// The shape of a method: whether requests and responses stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Unary,
    ServerStream,
    ClientStream,
    Bidi,
}

impl Kind {
    fn of(client_streaming: bool, server_streaming: bool) -> Self {
        match (client_streaming, server_streaming) {
            (false, false) => Kind::Unary,
            (false, true) => Kind::ServerStream,
            (true, false) => Kind::ClientStream,
            (true, true) => Kind::Bidi,
        }
    }

    fn client_streams(self) -> bool {
        matches!(self, Kind::ClientStream | Kind::Bidi)
    }
}

/// Counts calls in progress; a call past the limit is refused at once.
struct Slots {
    used: AtomicUsize,
    limit: usize,
}

/// One call's hold on a slot, given back when the call ends.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.slots.used.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What the service proxy and the Python side share.
struct Shared {
    methods: HashMap<String, Kind>,
    calls: crossbeam_channel::Sender<Call>,
    slots: Slots,
    max_message: usize,
}

impl Shared {
    fn take_slot(self: &Arc<Self>) -> Option<Slot> {
        let used = self.slots.used.fetch_add(1, Ordering::AcqRel);
        if used >= self.slots.limit {
            self.slots.used.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Slot(self.clone()))
    }
}

/// The status a decoding failure answers with: a message over the size
/// limit is RESOURCE_EXHAUSTED, as the gRPC specification asks.
fn decode_status(status: Status, limit: usize) -> Status {
    if status.code() == Code::OutOfRange && status.message().contains("too large") {
        with_class(
            Code::ResourceExhausted,
            format!(
                "request message larger than the limit of {limit} bytes ({})",
                status.message()
            ),
            "MessageTooLarge",
        )
    } else {
        status
    }
}

/// A status naming its error class in the `ccroute-error` trailer, as the
/// Python side does for every status it sends.
fn with_class(code: Code, message: String, class: &'static str) -> Status {
    let mut md = MetadataMap::new();
    md.insert("ccroute-error", MetadataValue::from_static(class));
    Status::with_metadata(code, message, md)
}

/// `ccroute.v1.Router`: every method is relayed to Python.
#[derive(Clone)]
struct Proxy(Arc<Shared>);

impl NamedService for Proxy {
    const NAME: &'static str = "ccroute.v1.Router";
}

impl tonic::codegen::Service<http::Request<Body>> for Proxy {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let shared = self.0.clone();
        Box::pin(async move {
            let method = req.uri().path().rsplit('/').next().unwrap_or_default().to_owned();
            let Some(&kind) = shared.methods.get(&method) else {
                return Ok(Status::unimplemented(format!(
                    "method {:?} is not part of {}",
                    req.uri().path(),
                    Proxy::NAME
                ))
                .into_http());
            };
            let Some(slot) = shared.take_slot() else {
                return Ok(with_class(
                    Code::ResourceExhausted,
                    format!(
                        "too many calls in progress (limit {}); retry later",
                        shared.slots.limit
                    ),
                    "ServerBusy",
                )
                .into_http());
            };
            let limit = shared.max_message;
            let mut grpc = Grpc::new(BytesCodec)
                .max_decoding_message_size(limit)
                .max_encoding_message_size(limit);
            let handler = Relay { shared, method, kind, slot: Some(slot) };
            Ok(grpc.streaming(handler, req).await)
        })
    }
}

/// Turns one HTTP/2 call into a [`Call`] for Python.
struct Relay {
    shared: Arc<Shared>,
    method: String,
    kind: Kind,
    slot: Option<Slot>,
}

impl StreamingService<Bytes> for Relay {
    type Response = Bytes;
    type ResponseStream = ReplyStream;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ReplyStream>, Status>> + Send>>;

    fn call(&mut self, request: Request<Streaming<Bytes>>) -> Self::Future {
        let shared = self.shared.clone();
        let method = std::mem::take(&mut self.method);
        let kind = self.kind;
        let slot = self.slot.take();
        Box::pin(async move {
            let limit = shared.max_message;
            let deadline = request
                .metadata()
                .get("grpc-timeout")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_timeout)
                .map(|d| Instant::now() + d);
            let authorization = request
                .metadata()
                .get("authorization")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let peer = request.remote_addr();
            let mut stream = request.into_inner();
            let (reply_tx, mut reply_rx) =
                mpsc::channel::<Result<Bytes, Status>>(if kind == Kind::Unary {
                    1
                } else {
                    STREAM_BUFFER
                });
            let (message, requests) = if kind.client_streams() {
                let (req_tx, req_rx) = mpsc::channel::<Bytes>(REQUEST_BUFFER);
                let errors = reply_tx.clone();
                tokio::spawn(async move {
                    loop {
                        match stream.message().await {
                            Ok(Some(m)) => {
                                if req_tx.send(m).await.is_err() {
                                    break;
                                }
                            }
                            Ok(None) => break,
                            Err(status) => {
                                let _ = errors.send(Err(decode_status(status, limit))).await;
                                break;
                            }
                        }
                    }
                });
                (None, Some(req_rx))
            } else {
                match stream.message().await {
                    Ok(Some(m)) => (Some(m), None),
                    Ok(None) => {
                        return Err(Status::internal("the call carried no request message"))
                    }
                    Err(status) => return Err(decode_status(status, limit)),
                }
            };
            let call = Call {
                method,
                request: message,
                authorization,
                deadline,
                peer,
                replies: Mutex::new(Some(reply_tx)),
                requests: Mutex::new(requests),
                slot: Mutex::new(slot),
            };
            if shared.calls.send(call).is_err() {
                return Err(Status::unavailable("the server is shutting down"));
            }
            if kind == Kind::Unary {
                // Wait for the answer, so that an error goes out as a
                // trailers-only response and a reply in one write.
                return match reply_rx.recv().await {
                    Some(Ok(reply)) => {
                        let once: ReplyStream = Box::pin(tokio_stream::once(Ok(reply)));
                        Ok(Response::new(once))
                    }
                    Some(Err(status)) => Err(status),
                    None => Err(Status::internal("the handler ended without an answer")),
                };
            }
            let rest: ReplyStream = Box::pin(tokio_stream::wrappers::ReceiverStream::new(reply_rx));
            Ok(Response::new(rest))
        })
    }
}

/// One call in progress, as Python's handler threads see it.
///
/// A unary call is answered once, with `reply` or `finish`; a streaming
/// call sends any number of messages and then `finish`es. Answers after
/// the end, or after the client went away, are dropped quietly
/// (`is_active` tells).
#[pyclass(module = "ccroute._ccroute", frozen)]
pub struct Call {
    method: String,
    request: Option<Bytes>,
    authorization: Option<String>,
    deadline: Option<Instant>,
    peer: Option<SocketAddr>,
    replies: Mutex<Option<mpsc::Sender<Result<Bytes, Status>>>>,
    requests: Mutex<Option<mpsc::Receiver<Bytes>>>,
    /// The call's hold on the server's call limit, given back when it ends.
    slot: Mutex<Option<Slot>>,
}

impl Call {
    fn sender(&self) -> Option<mpsc::Sender<Result<Bytes, Status>>> {
        self.replies.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Ends the call's side of the exchange: the sender is taken (the
    /// caller sends the last item) and the call-limit slot is given back.
    fn take_sender(&self) -> Option<mpsc::Sender<Result<Bytes, Status>>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.replies.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

#[pymethods]
impl Call {
    /// The method's short name (`"SubmitContact"`).
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The request message (unary and server-streaming methods); `None`
    /// for methods whose requests stream (read them with `next_request`).
    #[getter]
    fn request<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.request.as_ref().map(|b| PyBytes::new(py, b))
    }

    /// The `authorization` header, if the client sent one.
    #[getter]
    fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// The client's address (`"ipv4:127.0.0.1:5000"`), as gRPC names peers.
    #[getter]
    fn peer(&self) -> String {
        match self.peer {
            Some(SocketAddr::V4(a)) => format!("ipv4:{a}"),
            Some(SocketAddr::V6(a)) => format!("ipv6:{a}"),
            None => "unknown".to_owned(),
        }
    }

    /// Seconds left before the client's deadline (`None`: no deadline).
    fn time_remaining(&self) -> Option<f64> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64())
    }

    /// False once the call has ended or the client went away.
    fn is_active(&self) -> bool {
        self.sender().is_some_and(|s| !s.is_closed())
    }

    /// The next request message of a client stream, waiting for it;
    /// `None` when the client has finished (or went away, or sent a
    /// message that could not be read: the call then already ended with
    /// that error), and always for methods whose requests do not stream.
    fn next_request<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let mut guard = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let rx = guard.as_mut()?;
        match detached(py, || rx.blocking_recv()) {
            Some(bytes) => Some(PyBytes::new(py, &bytes)),
            None => {
                *guard = None;
                None
            }
        }
    }

    /// Answers a unary call with `data` (an encoded response message) and
    /// ends it; False if the call had already ended.
    fn reply(&self, data: &[u8]) -> bool {
        match self.take_sender() {
            Some(tx) => tx.try_send(Ok(Bytes::copy_from_slice(data))).is_ok(),
            None => false,
        }
    }

    /// Sends one message on a streaming call, waiting while the client's
    /// buffer is full; False once the call has ended or the client left.
    fn send(&self, py: Python<'_>, data: &[u8]) -> bool {
        let Some(tx) = self.sender() else {
            return false;
        };
        let item = Ok(Bytes::copy_from_slice(data));
        match tx.try_send(item) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Closed(_)) => false,
            Err(mpsc::error::TrySendError::Full(item)) => {
                detached(py, || tx.blocking_send(item).is_ok())
            }
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
        let status = if code == 0 {
            None
        } else {
            let mut map = MetadataMap::new();
            for (k, v) in &metadata {
                let key =
                    tonic::metadata::AsciiMetadataKey::from_bytes(k.as_bytes()).map_err(|_| {
                        PyValueError::new_err(format!(
                            "metadata key {k:?} is not a valid header name"
                        ))
                    })?;
                let value = MetadataValue::try_from(v.as_str()).map_err(|_| {
                    PyValueError::new_err(format!("metadata value {v:?} is not ASCII"))
                })?;
                map.insert(key, value);
            }
            Some(Status::with_metadata(Code::from(code), message, map))
        };
        let Some(tx) = self.take_sender() else {
            return Ok(false);
        };
        Ok(match status {
            None => true,
            // A stream's buffer may be full: wait for room, so that the
            // error is never dropped in favour of a normal end.
            Some(s) => match tx.try_send(Err(s)) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Closed(_)) => false,
                Err(mpsc::error::TrySendError::Full(item)) => {
                    detached(py, || tx.blocking_send(item).is_ok())
                }
            },
        })
    }

    fn __repr__(&self) -> String {
        format!("Call(method={:?}, peer={:?})", self.method, self.peer())
    }
}

/// Checks bearer tokens for the reflection services.
#[derive(Clone)]
struct TokenCheck(Option<Arc<Vec<Vec<u8>>>>);

/// Compares in time independent of where the bytes differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl tonic::service::Interceptor for TokenCheck {
    fn call(&mut self, req: Request<()>) -> Result<Request<()>, Status> {
        let Some(tokens) = &self.0 else {
            return Ok(req);
        };
        let unauthenticated =
            |msg: String| with_class(Code::Unauthenticated, msg, "Unauthenticated");
        let Some(header) = req.metadata().get("authorization") else {
            return Err(unauthenticated("missing metadata 'authorization: Bearer <token>'".into()));
        };
        let header = String::from_utf8_lossy(header.as_bytes()).into_owned();
        let (scheme, token) = header.split_once(' ').unwrap_or((header.as_str(), ""));
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            // Never echo the header: a malformed one may be the token itself.
            return Err(unauthenticated(
                "metadata 'authorization' is not 'Bearer <token>' (its value is not repeated here)"
                    .into(),
            ));
        }
        let given = token.trim().as_bytes();
        let mut ok = false;
        for t in tokens.iter() {
            ok |= same_bytes(given, t);
        }
        if ok {
            Ok(req)
        } else {
            Err(unauthenticated("invalid bearer token".into()))
        }
    }
}

/// What `start` and `stop` change.
struct FrontState {
    runtime: Option<Runtime>,
    listener: Option<std::net::TcpListener>,
    health_server:
        Option<tonic_health::pb::health_server::HealthServer<tonic_health::server::HealthService>>,
    shutdown: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<()>>,
}

/// The running (or not yet started) server. All methods may be called
/// from any thread; `next_call` waits without holding the GIL.
#[pyclass(module = "ccroute._ccroute", frozen)]
pub struct GrpcFront {
    state: Mutex<FrontState>,
    tls: Option<ServerTlsConfig>,
    shared: Arc<Shared>,
    calls: crossbeam_channel::Receiver<Call>,
    health: tonic_health::server::HealthReporter,
    descriptors: Vec<u8>,
    tokens: TokenCheck,
    port: u16,
    stopping: AtomicBool,
}

impl GrpcFront {
    fn state(&self) -> std::sync::MutexGuard<'_, FrontState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

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
    ///     tokens: bearer tokens for reflection (`None`: open); the
    ///         service's own calls carry `authorization` to Python.
    ///     tls_cert, tls_key: PEM chain and key, both or neither.
    ///     max_message_bytes: largest request or response message.
    ///     max_concurrent_rpcs: calls in progress at once; more are
    ///         refused with RESOURCE_EXHAUSTED.
    #[new]
    #[pyo3(signature = (address, methods, descriptors, *, tokens=None, tls_cert=None, tls_key=None,
                        max_message_bytes=16 * 1024 * 1024, max_concurrent_rpcs=512))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        address: &str,
        methods: HashMap<String, (bool, bool)>,
        descriptors: Vec<u8>,
        tokens: Option<Vec<Vec<u8>>>,
        tls_cert: Option<Vec<u8>>,
        tls_key: Option<Vec<u8>>,
        max_message_bytes: usize,
        max_concurrent_rpcs: usize,
    ) -> PyResult<Self> {
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => {
                Some(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))
            }
            (None, None) => None,
            _ => return Err(PyValueError::new_err("TLS needs both a certificate and a key")),
        };
        let listener = std::net::TcpListener::bind(address)
            .map_err(|e| PyOSError::new_err(format!("cannot listen on {address}: {e}")))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| PyOSError::new_err(format!("cannot listen on {address}: {e}")))?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ccroute-grpc")
            .enable_all()
            .build()
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the gRPC runtime: {e}")))?;
        let (tx, rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            methods: methods.into_iter().map(|(k, (c, s))| (k, Kind::of(c, s))).collect(),
            calls: tx,
            slots: Slots { used: AtomicUsize::new(0), limit: max_concurrent_rpcs.max(1) },
            max_message: max_message_bytes,
        });
        let health = tonic_health::server::HealthReporter::new();
        let health_server = tonic_health::pb::health_server::HealthServer::new(
            tonic_health::server::HealthService::from_health_reporter(health.clone()),
        );
        let tokens = TokenCheck(tokens.map(Arc::new));
        let front = GrpcFront {
            state: Mutex::new(FrontState {
                runtime: Some(runtime),
                listener: Some(listener),
                health_server: Some(health_server),
                shutdown: None,
                done: None,
            }),
            tls,
            shared,
            calls: rx,
            health,
            descriptors,
            tokens,
            port,
            stopping: AtomicBool::new(false),
        };
        // Check the TLS material now, so that a bad certificate fails here.
        if let Some(tls) = front.tls.clone() {
            Server::builder()
                .tls_config(tls)
                .map_err(|e| PyValueError::new_err(format!("bad TLS certificate or key: {e}")))?;
        }
        for name in ["", Proxy::NAME] {
            front.set_health(name, true);
        }
        Ok(front)
    }

    /// The bound port.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    /// Starts serving (once).
    fn start(&self) -> PyResult<()> {
        let mut state = self.state();
        let state = &mut *state;
        let (Some(listener), Some(runtime), Some(health)) =
            (state.listener.take(), state.runtime.as_ref(), state.health_server.take())
        else {
            return Err(PyRuntimeError::new_err("the server was already started"));
        };
        let reflection = |v1: bool| -> PyResult<_> {
            let builder = tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(&self.descriptors);
            let err = |e: tonic_reflection::server::Error| {
                PyValueError::new_err(format!("bad descriptor set for reflection: {e}"))
            };
            Ok(if v1 {
                (Some(builder.build_v1().map_err(err)?), None)
            } else {
                (None, Some(builder.build_v1alpha().map_err(err)?))
            })
        };
        let (v1, _) = reflection(true)?;
        let (_, v1alpha) = reflection(false)?;
        let mut builder = Server::builder();
        if let Some(tls) = self.tls.clone() {
            builder = builder
                .tls_config(tls)
                .map_err(|e| PyValueError::new_err(format!("bad TLS certificate or key: {e}")))?;
        }
        let router = builder
            .add_service(health)
            .add_service(tonic::service::interceptor::InterceptedService::new(
                v1.expect("built above"),
                self.tokens.clone(),
            ))
            .add_service(tonic::service::interceptor::InterceptedService::new(
                v1alpha.expect("built above"),
                self.tokens.clone(),
            ))
            .add_service(Proxy(self.shared.clone()));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let _guard = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| PyOSError::new_err(format!("cannot serve: {e}")))?;
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        runtime.spawn(async move {
            let _ = router
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = stop_rx.await;
                })
                .await;
            let _ = done_tx.send(());
        });
        state.shutdown = Some(stop_tx);
        state.done = Some(done_rx);
        Ok(())
    }

    /// The next call for Python to handle, waiting up to `timeout` seconds;
    /// `None` on timeout or once the server has stopped.
    fn next_call(&self, py: Python<'_>, timeout: f64) -> Option<Call> {
        if self.stopping.load(Ordering::Acquire) && self.calls.is_empty() {
            return None;
        }
        let rx = &self.calls;
        let t = Duration::try_from_secs_f64(timeout.max(0.0)).unwrap_or(Duration::MAX);
        detached(py, || rx.recv_timeout(t).ok())
    }

    /// Sets what health checks answer for `service` (`""`: the server).
    fn set_health(&self, service: &str, serving: bool) {
        let state = self.state();
        let Some(runtime) = state.runtime.as_ref() else {
            return;
        };
        let status = if serving { ServingStatus::Serving } else { ServingStatus::NotServing };
        let health = self.health.clone();
        let name = service.to_owned();
        runtime.block_on(async move { health.set_service_status(name, status).await });
    }

    /// Stops accepting calls, waits up to `grace` seconds for those in
    /// progress, then ends what is left (their clients see CANCELLED or
    /// UNAVAILABLE) and frees the port. Idempotent.
    fn stop(&self, py: Python<'_>, grace: f64) {
        self.stopping.store(true, Ordering::Release);
        let (runtime, done) = {
            let mut state = self.state();
            if let Some(stop) = state.shutdown.take() {
                let _ = stop.send(());
            }
            state.listener = None;
            (state.runtime.take(), state.done.take())
        };
        let Some(runtime) = runtime else {
            return;
        };
        let grace = Duration::try_from_secs_f64(grace.max(0.0)).unwrap_or(Duration::MAX);
        detached(py, || {
            if let Some(done) = done {
                runtime.block_on(async {
                    let _ = tokio::time::timeout(grace, done).await;
                });
            }
            runtime.shutdown_timeout(Duration::from_millis(100));
        });
    }

    /// True once `stop` has begun.
    #[getter]
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

impl Drop for GrpcFront {
    fn drop(&mut self) {
        let mut state = self.state();
        if let Some(stop) = state.shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = state.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
