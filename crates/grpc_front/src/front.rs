//! The server: [`Front::bind`] checks the options and binds the address,
//! [`Front::start`] serves, handler threads take calls with
//! [`Front::next_call`], and [`Front::stop`] ends it all gracefully.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;

use crate::call::Call;
use crate::error::{Error, ErrorKind};
use crate::relay::{Proxy, Shape, Shared, SERVICE};
use crate::tokens::{Gate, Tokens};

/// A certificate chain and its private key, both PEM.
#[derive(Clone)]
pub struct Tls {
    /// The certificate chain.
    pub cert: Vec<u8>,
    /// The private key.
    pub key: Vec<u8>,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls { .. }")
    }
}

/// What a front serves and within which bounds.
#[derive(Clone)]
pub struct Options {
    /// The relayed service's methods, by short name (`"SubmitContact"`).
    pub methods: HashMap<String, Shape>,
    /// An encoded `FileDescriptorSet` for the reflection services (`None`:
    /// no reflection).
    pub descriptors: Option<Vec<u8>>,
    /// The SHA-256 digests ([`token_sha256`](crate::token_sha256)) of the
    /// bearer tokens a call must carry one of, in its `authorization`
    /// header as `Bearer <token>` (`None`: open to all). Health checks
    /// need none; every other service, reflection included, does. The
    /// front never holds the tokens themselves.
    pub token_sha256: Option<Vec<[u8; 32]>>,
    /// TLS material (`None`: plaintext HTTP/2).
    pub tls: Option<Tls>,
    /// The largest request or response message, in bytes.
    pub max_message_bytes: usize,
    /// Calls in progress at once; more are refused with RESOURCE_EXHAUSTED.
    pub max_concurrent_rpcs: usize,
}

impl Default for Options {
    /// No methods, no reflection, no tokens, plaintext, 16 MiB messages and
    /// 512 calls at once.
    fn default() -> Self {
        Options {
            methods: HashMap::new(),
            descriptors: None,
            token_sha256: None,
            tls: None,
            max_message_bytes: 16 * 1024 * 1024,
            max_concurrent_rpcs: 512,
        }
    }
}

impl fmt::Debug for Options {
    /// Shows how many tokens there are, never the tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("methods", &self.methods)
            .field("descriptors", &self.descriptors.as_ref().map(Vec::len))
            .field("token_sha256", &self.token_sha256.as_ref().map(Vec::len))
            .field("tls", &self.tls)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("max_concurrent_rpcs", &self.max_concurrent_rpcs)
            .finish()
    }
}

/// What `start` and `stop` change.
struct State {
    runtime: Option<Runtime>,
    listener: Option<std::net::TcpListener>,
    /// The server and its services, prepared by `bind`, taken by `start`.
    prepared: Option<(Server, Gate)>,
    shutdown: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<()>>,
}

/// A gRPC server relaying the calls of [`SERVICE`] to handler threads.
/// Every method may be called from any thread.
pub struct Front {
    state: Mutex<State>,
    calls: crossbeam_channel::Receiver<Call>,
    health: HealthReporter,
    addr: SocketAddr,
    stopping: AtomicBool,
    /// The gate's tokens (shared with it): replaced on reload, refusals read.
    tokens: Tokens,
}

impl Front {
    /// Checks `options` and binds `address` (`"host:port"`, port 0 picks a
    /// free one); nothing is served before [`start`](Front::start). Health
    /// checks answer SERVING for the server (`""`) and for [`SERVICE`].
    pub fn bind(address: &str, options: Options) -> Result<Front, Error> {
        let mut server = Server::builder();
        if let Some(tls) = &options.tls {
            let identity = Identity::from_pem(&tls.cert, &tls.key);
            server = server.tls_config(ServerTlsConfig::new().identity(identity)).map_err(|e| {
                Error::new(ErrorKind::Tls, format!("bad TLS certificate or key: {e}"))
            })?;
        }
        let cannot_listen = |e: std::io::Error| {
            Error::new(ErrorKind::Bind, format!("cannot listen on {address}: {e}"))
        };
        let listener = std::net::TcpListener::bind(address).map_err(cannot_listen)?;
        listener.set_nonblocking(true).map_err(cannot_listen)?;
        let addr = listener.local_addr().map_err(cannot_listen)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ccroute-grpc")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Runtime, format!("cannot start the gRPC runtime: {e}"))
            })?;
        let (tx, rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            methods: options.methods,
            calls: tx,
            used: AtomicUsize::new(0),
            limit: options.max_concurrent_rpcs.max(1),
            max_message: options.max_message_bytes,
        });
        let (health, health_service) = tonic_health::server::health_reporter();
        let mut routes = Routes::new(health_service).add_service(Proxy(shared));
        if let Some(descriptors) = &options.descriptors {
            let builder = || {
                tonic_reflection::server::Builder::configure()
                    .register_encoded_file_descriptor_set(descriptors)
            };
            let bad = |e| {
                Error::new(
                    ErrorKind::Descriptors,
                    format!("bad descriptor set for reflection: {e}"),
                )
            };
            let v1 = builder().build_v1().map_err(bad)?;
            let v1alpha = builder().build_v1alpha().map_err(bad)?;
            routes = routes.add_service(v1).add_service(v1alpha);
        }
        let tokens = Tokens::new(options.token_sha256);
        let gate = Gate { routes: routes.prepare(), tokens: tokens.clone() };
        let front = Front {
            state: Mutex::new(State {
                runtime: Some(runtime),
                listener: Some(listener),
                prepared: Some((server, gate)),
                shutdown: None,
                done: None,
            }),
            calls: rx,
            health,
            addr,
            stopping: AtomicBool::new(false),
            tokens,
        };
        for name in ["", SERVICE] {
            front.set_health(name, true);
        }
        Ok(front)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the SHA-256 digests of the accepted bearer tokens while
    /// serving (calls already admitted are not affected). `false` for a
    /// front started without tokens: it stays open.
    pub fn set_token_sha256(&self, digests: Vec<[u8; 32]>) -> bool {
        self.tokens.replace(digests)
    }

    /// The calls refused for their token since the last call: each call's
    /// path and the refusal's message (never the token), and how many
    /// more were refused than kept (at most 1,000 are kept).
    pub fn take_refusals(&self) -> (Vec<(String, String)>, u64) {
        self.tokens.take_refusals()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts serving (once).
    pub fn start(&self) -> Result<(), Error> {
        let mut state = self.state();
        let state = &mut *state;
        let (Some(listener), Some(runtime), Some((server, gate))) =
            (state.listener.take(), state.runtime.as_ref(), state.prepared.take())
        else {
            return Err(Error::new(ErrorKind::Runtime, "the server was already started"));
        };
        let _guard = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| {
            Error::new(ErrorKind::Bind, format!("cannot serve on {}: {e}", self.addr))
        })?;
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (done_tx, done_rx) = oneshot::channel::<()>();
        runtime.spawn(async move {
            let stopped = async {
                let _ = stop_rx.await;
            };
            let _ = server.serve_with_incoming_shutdown(gate, incoming, stopped).await;
            let _ = done_tx.send(());
        });
        state.shutdown = Some(stop_tx);
        state.done = Some(done_rx);
        Ok(())
    }

    /// The next call to handle, waiting up to `timeout`; `None` on timeout
    /// or once the front has stopped and no call is left.
    pub fn next_call(&self, timeout: Duration) -> Option<Call> {
        if self.stopping() && self.calls.is_empty() {
            return None;
        }
        self.calls.recv_timeout(timeout).ok()
    }

    /// Sets what health checks answer for `service` (`""`: the server).
    pub fn set_health(&self, service: &str, serving: bool) {
        let state = self.state();
        let Some(runtime) = state.runtime.as_ref() else {
            return;
        };
        let status = if serving { ServingStatus::Serving } else { ServingStatus::NotServing };
        let health = self.health.clone();
        let name = service.to_owned();
        runtime.block_on(async move { health.set_service_status(name, status).await });
    }

    /// Stops accepting calls, waits up to `grace` for those in progress,
    /// then ends what is left (their clients see CANCELLED or UNAVAILABLE)
    /// and frees the port. Blocks until then; idempotent.
    pub fn stop(&self, grace: Duration) {
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
        if let Some(done) = done {
            runtime.block_on(async {
                let _ = tokio::time::timeout(grace, done).await;
            });
        }
        runtime.shutdown_timeout(Duration::from_millis(100));
    }

    /// True once [`stop`](Front::stop) has begun.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

impl Drop for Front {
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

impl fmt::Debug for Front {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Front")
            .field("addr", &self.addr)
            .field("stopping", &self.stopping())
            .finish_non_exhaustive()
    }
}
