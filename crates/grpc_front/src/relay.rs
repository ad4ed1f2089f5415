//! The relayed service: each HTTP/2 call to [`SERVICE`] becomes a
//! [`Call`] on the front's queue, after the method, the concurrency limit
//! and the request's size have been checked.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use grpc_raw::{parse_timeout, BytesCodec};
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tonic::body::Body;
use tonic::codec::Streaming;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::server::{Grpc, NamedService, StreamingService};
use tonic::{Code, Request, Response, Status};

use crate::call::{Call, Reply};

/// The relayed service's full name.
pub const SERVICE: &str = "ccroute.v1.Router";

/// Responses buffered per streaming call before [`Call::send`] waits.
const STREAM_BUFFER: usize = 16;
/// Request messages read ahead of the handler on a client stream.
const REQUEST_BUFFER: usize = 4;

type ReplyStream = Pin<Box<dyn Stream<Item = Reply> + Send>>;

/// The shape of a method: whether its requests and its responses stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// One request, one response.
    Unary,
    /// One request, a stream of responses.
    ServerStream,
    /// A stream of requests, one response.
    ClientStream,
    /// Streams both ways.
    Bidi,
}

impl Shape {
    /// The shape of a method whose requests stream when `client_streaming`
    /// and whose responses stream when `server_streaming`.
    pub fn of(client_streaming: bool, server_streaming: bool) -> Self {
        match (client_streaming, server_streaming) {
            (false, false) => Shape::Unary,
            (false, true) => Shape::ServerStream,
            (true, false) => Shape::ClientStream,
            (true, true) => Shape::Bidi,
        }
    }

    fn client_streams(self) -> bool {
        matches!(self, Shape::ClientStream | Shape::Bidi)
    }
}

/// One call's hold on a place under the concurrency limit, given back when
/// the call is answered (or dropped).
pub(crate) struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.used.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What the relay and the front share.
pub(crate) struct Shared {
    pub(crate) methods: HashMap<String, Shape>,
    pub(crate) calls: crossbeam_channel::Sender<Call>,
    pub(crate) used: AtomicUsize,
    pub(crate) limit: usize,
    pub(crate) max_message: usize,
}

impl Shared {
    /// A place under the limit, or `None` when every place is taken.
    fn take_slot(self: &Arc<Self>) -> Option<Slot> {
        let used = self.used.fetch_add(1, Ordering::AcqRel);
        if used >= self.limit {
            self.used.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Slot(self.clone()))
    }
}

/// A status naming its error class in the `ccroute-error` trailer, as the
/// service does for every status it sends.
pub(crate) fn with_class(code: Code, message: String, class: &'static str) -> Status {
    let mut md = MetadataMap::new();
    md.insert("ccroute-error", MetadataValue::from_static(class));
    Status::with_metadata(code, message, md)
}

/// The status a decoding failure answers with: a message over the size
/// limit is RESOURCE_EXHAUSTED naming the limit, as the gRPC specification
/// asks.
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

/// The relayed service: every method it names goes to the handlers.
#[derive(Clone)]
pub(crate) struct Proxy(pub(crate) Arc<Shared>);

impl NamedService for Proxy {
    const NAME: &'static str = SERVICE;
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
            let Some(&shape) = shared.methods.get(&method) else {
                return Ok(Status::unimplemented(format!(
                    "method {:?} is not part of {SERVICE}",
                    req.uri().path(),
                ))
                .into_http());
            };
            let Some(slot) = shared.take_slot() else {
                return Ok(with_class(
                    Code::ResourceExhausted,
                    format!("too many calls in progress (limit {}); retry later", shared.limit),
                    "ServerBusy",
                )
                .into_http());
            };
            let limit = shared.max_message;
            let mut grpc = Grpc::new(BytesCodec)
                .max_decoding_message_size(limit)
                .max_encoding_message_size(limit);
            let handler = Relay { shared, method, shape, slot: Some(slot) };
            Ok(grpc.streaming(handler, req).await)
        })
    }
}

/// Turns one HTTP/2 call into a [`Call`] for the handlers.
struct Relay {
    shared: Arc<Shared>,
    method: String,
    shape: Shape,
    slot: Option<Slot>,
}

impl StreamingService<Bytes> for Relay {
    type Response = Bytes;
    type ResponseStream = ReplyStream;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ReplyStream>, Status>> + Send>>;

    fn call(&mut self, request: Request<Streaming<Bytes>>) -> Self::Future {
        let shared = self.shared.clone();
        let method = std::mem::take(&mut self.method);
        let shape = self.shape;
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
            let tenant = request
                .metadata()
                .get("ccroute-tenant")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let peer = request.remote_addr();
            let mut stream = request.into_inner();
            let (reply_tx, mut reply_rx) =
                mpsc::channel::<Reply>(if shape == Shape::Unary { 1 } else { STREAM_BUFFER });
            let (message, requests) = if shape.client_streams() {
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
                tenant,
                deadline,
                peer,
                replies: Mutex::new(Some(reply_tx)),
                requests: Mutex::new(requests),
                slot: Mutex::new(slot),
                runtime: tokio::runtime::Handle::current(),
            };
            if shared.calls.send(call).is_err() {
                return Err(Status::unavailable("the server is shutting down"));
            }
            if shape == Shape::Unary {
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
