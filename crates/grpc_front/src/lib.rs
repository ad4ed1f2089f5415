//! The gRPC front end of `ccroute serve`: HTTP/2, TLS, framing, limits,
//! bearer tokens, health checking and reflection in Rust (tonic), so that
//! the per-call transport cost stays out of whatever runs the service.
//!
//! The front end knows nothing of the protocol's messages. Every call to
//! the relayed service ([`SERVICE`], `ccroute.v1.Router`) is handed over as
//! a [`Call`]: the method name, the request bytes (or a stream of them),
//! the `authorization` header and the deadline. Handler threads take calls
//! with [`Front::next_call`], run the service and answer with
//! [`Call::reply`], [`Call::send`] or [`Call::finish`]. Nothing here needs
//! an async runtime from its caller: the front owns one, and every method
//! is a plain, possibly blocking, function that any thread may call, but
//! not code running on an async runtime (a blocking call would stall it,
//! and tokio refuses to block inside one).
//!
//! ```no_run
//! use std::time::Duration;
//! use grpc_front::{Bytes, Front, Options, Shape};
//!
//! let mut options = Options::default();
//! options.methods.insert("Echo".into(), Shape::Unary);
//! let front = Front::bind("127.0.0.1:0", options)?;
//! front.start()?;
//! while let Some(call) = front.next_call(Duration::from_secs(1)) {
//!     let request: Bytes = call.request().cloned().unwrap_or_default();
//!     call.reply(request);
//! }
//! front.stop(Duration::from_secs(5));
//! # Ok::<(), grpc_front::Error>(())
//! ```
//!
//! What the front answers by itself, without a handler: health checks
//! (`grpc.health.v1.Health`, open to all, see [`Front::set_health`]),
//! reflection (v1 and v1alpha, from the descriptors in [`Options`]),
//! UNIMPLEMENTED for a method the options do not name, RESOURCE_EXHAUSTED
//! for a message over the size limit or a call past the concurrency limit,
//! and UNAUTHENTICATED for a call without one of the bearer tokens (the
//! front holds their SHA-256 digests, [`token_sha256`]; what a known token
//! may call is for the handlers to decide, from [`Call::authorization`]).
//! Its own refusals name their error class in the `ccroute-error` trailer,
//! as the service does for every status it sends.

mod call;
mod error;
mod front;
mod relay;
mod tokens;

pub use bytes::Bytes;
pub use call::{status, Call};
pub use error::{Error, ErrorKind};
pub use front::{Front, Options, Tls};
pub use relay::{Shape, SERVICE};
pub use tokens::token_sha256;
pub use tonic::{Code, Status};
