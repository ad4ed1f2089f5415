//! One call in progress, as a handler thread sees it.

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tonic::metadata::{AsciiMetadataKey, MetadataMap, MetadataValue};
use tonic::{Code, Status};

use crate::error::{Error, ErrorKind};
use crate::relay::Slot;

/// One item of a call's answer: a response message, or the error that
/// ends the call.
pub(crate) type Reply = Result<Bytes, Status>;

/// One call of the relayed service.
///
/// A unary or client-streaming call is answered once, with [`reply`] or
/// [`finish`]; a server-streaming or bidirectional call [`send`]s any
/// number of messages and then [`finish`]es. Answers after the end, or
/// after the client went away, are dropped quietly ([`is_active`] tells).
/// Dropping a call that was never ended ends it with INTERNAL.
///
/// The waiting methods ([`next_request`], [`send`], [`finish`]) block the
/// calling thread: call them from a plain thread, not from async code.
///
/// [`reply`]: Call::reply
/// [`finish`]: Call::finish
/// [`send`]: Call::send
/// [`is_active`]: Call::is_active
/// [`next_request`]: Call::next_request
pub struct Call {
    pub(crate) method: String,
    pub(crate) request: Option<Bytes>,
    pub(crate) authorization: Option<String>,
    pub(crate) tenant: Option<String>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) replies: Mutex<Option<mpsc::Sender<Reply>>>,
    pub(crate) requests: Mutex<Option<mpsc::Receiver<Bytes>>>,
    /// The call's hold on the front's concurrency limit, given back when
    /// it is answered.
    pub(crate) slot: Mutex<Option<Slot>>,
    /// The front's runtime, which delivers the error of a call dropped
    /// unanswered.
    pub(crate) runtime: tokio::runtime::Handle,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Call {
    /// The method's short name (`"SubmitContact"`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request message of a method whose requests do not stream;
    /// `None` for those whose requests do (read them with
    /// [`next_request`](Call::next_request)).
    pub fn request(&self) -> Option<&Bytes> {
        self.request.as_ref()
    }

    /// The `authorization` header, if the client sent one.
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// The `ccroute-tenant` header (the tenant the call is for), if the
    /// client sent one.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The client's address, when known.
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The client's address as gRPC names peers (`"ipv4:127.0.0.1:5000"`,
    /// `"unknown"`).
    pub fn peer_name(&self) -> String {
        match self.peer {
            Some(SocketAddr::V4(a)) => format!("ipv4:{a}"),
            Some(SocketAddr::V6(a)) => format!("ipv6:{a}"),
            None => "unknown".to_owned(),
        }
    }

    /// The client's deadline (`None`: it set none).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time left before the client's deadline (`None`: no deadline; zero
    /// once it has passed).
    pub fn time_remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// False once the call has ended or the client went away.
    pub fn is_active(&self) -> bool {
        lock(&self.replies).as_ref().is_some_and(|s| !s.is_closed())
    }

    /// The next request message of a client stream, waiting for it;
    /// `None` when the client has finished (or went away, or sent a
    /// message that could not be read: the call then already ended with
    /// that error), and always for methods whose requests do not stream.
    pub fn next_request(&self) -> Option<Bytes> {
        let mut guard = lock(&self.requests);
        let next = guard.as_mut()?.blocking_recv();
        if next.is_none() {
            *guard = None;
        }
        next
    }

    /// Answers a unary or client-streaming call with `message` (an encoded
    /// response) and ends it; false if the call had already ended.
    pub fn reply(&self, message: Bytes) -> bool {
        match self.end() {
            Some(tx) => tx.try_send(Ok(message)).is_ok(),
            None => false,
        }
    }

    /// Sends one message on a streaming call, waiting while the client's
    /// buffer is full; false once the call has ended or the client left.
    pub fn send(&self, message: Bytes) -> bool {
        match self.try_send(message) {
            Ok(sent) => sent,
            Err(message) => {
                let tx = lock(&self.replies).clone();
                tx.is_some_and(|tx| tx.blocking_send(Ok(message)).is_ok())
            }
        }
    }

    /// [`send`](Call::send) without waiting: `Err` gives the message back
    /// when the client's buffer is full.
    pub fn try_send(&self, message: Bytes) -> Result<bool, Bytes> {
        let Some(tx) = lock(&self.replies).clone() else {
            return Ok(false);
        };
        match tx.try_send(Ok(message)) {
            Ok(()) => Ok(true),
            Err(TrySendError::Closed(_)) => Ok(false),
            Err(TrySendError::Full(item)) => Err(item.expect("a message was offered")),
        }
    }

    /// Ends the call with `status`: OK ends a stream normally (its message
    /// is not sent); any other code ends the call with that error, its
    /// message and its metadata as trailers. A stream's buffer may be full:
    /// this waits for room, so that an error is never dropped in favour of
    /// a normal end. False if the call had already ended.
    pub fn finish(&self, status: Status) -> bool {
        match self.try_finish(status) {
            Ok(done) => done,
            Err(status) => self.end().is_some_and(|tx| tx.blocking_send(Err(status)).is_ok()),
        }
    }

    /// [`finish`](Call::finish) without waiting: `Err` gives the status back,
    /// the call still open, when the client's buffer is full.
    pub fn try_finish(&self, status: Status) -> Result<bool, Status> {
        if status.code() == Code::Ok {
            return Ok(self.end().is_some());
        }
        let Some(tx) = lock(&self.replies).clone() else {
            return Ok(false);
        };
        match tx.try_send(Err(status)) {
            Ok(()) => Ok(self.end().is_some()),
            Err(TrySendError::Closed(_)) => {
                self.end();
                Ok(false)
            }
            Err(TrySendError::Full(item)) => Err(item.expect_err("a status was offered")),
        }
    }

    /// Ends the call's side of the exchange: the sender is taken (the
    /// caller sends the last item, if any) and the slot is given back.
    fn end(&self) -> Option<mpsc::Sender<Reply>> {
        lock(&self.slot).take();
        lock(&self.replies).take()
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if let Some(tx) = self.end() {
            let status = Status::internal("the handler ended without an answer");
            self.runtime.spawn(async move { tx.send(Err(status)).await });
        }
    }
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("peer", &self.peer_name())
            .finish_non_exhaustive()
    }
}

/// A status with trailing `metadata`, whose keys and values must be ASCII
/// header names and values.
pub fn status(code: Code, message: &str, metadata: &[(String, String)]) -> Result<Status, Error> {
    let mut map = MetadataMap::new();
    for (k, v) in metadata {
        let key = AsciiMetadataKey::from_bytes(k.as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::Metadata,
                format!("metadata key {k:?} is not a valid header name"),
            )
        })?;
        let value = MetadataValue::try_from(v.as_str()).map_err(|_| {
            Error::new(ErrorKind::Metadata, format!("metadata value {v:?} is not ASCII"))
        })?;
        map.insert(key, value);
    }
    Ok(Status::with_metadata(code, message, map))
}
