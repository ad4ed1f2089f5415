//! A gRPC client that sends and receives messages as encoded bytes, and
//! the `grpc-load` load generator built on it.
//!
//! [`Client`] needs no knowledge of a protocol's messages: requests come
//! encoded, replies stay encoded (the [`grpc_raw::BytesCodec`]). The load
//! generator ([`load`]) replays requests encoded ahead of time; the gRPC
//! front end's tests (`crates/grpc_front/tests`) drive a server with it in
//! every call shape, with deadlines and bearer tokens.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tonic::Status> {
//! use grpc_load::{Bytes, Client};
//!
//! let client = Client::connect("127.0.0.1:50051").await?.with_token("s3cret");
//! let reply: Bytes = client.unary("/pkg.Service/Echo", Bytes::from_static(b"hi")).await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use grpc_raw::BytesCodec;
use http::uri::PathAndQuery;
use tonic::codec::Streaming;
use tonic::codegen::tokio_stream;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

pub use bytes::Bytes;

pub mod load;

/// The health-checking service's one unary method.
const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";

/// A connection to one server, with the bearer token and the deadline its
/// calls carry. Clones share the connection.
#[derive(Clone, Debug)]
pub struct Client {
    channel: Channel,
    token: Option<String>,
    tenant: Option<String>,
    timeout: Option<Duration>,
}

impl Client {
    /// Connects to `target` (`"host:port"`, plaintext HTTP/2).
    pub async fn connect(target: &str) -> Result<Client, Status> {
        let endpoint = Endpoint::from_shared(format!("http://{target}"))
            .map_err(|e| Status::invalid_argument(format!("bad target {target:?}: {e}")))?
            .tcp_nodelay(true);
        let channel = endpoint
            .connect()
            .await
            .map_err(|e| Status::unavailable(format!("cannot connect to {target}: {e}")))?;
        Ok(Client { channel, token: None, tenant: None, timeout: None })
    }

    /// The same connection, its calls carrying `authorization: Bearer <token>`.
    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(format!("Bearer {token}"));
        self
    }

    /// The same connection, its calls carrying the `authorization` header
    /// `value` as it is (a malformed one, for tests).
    pub fn with_authorization(mut self, value: &str) -> Self {
        self.token = Some(value.to_owned());
        self
    }

    /// The same connection, its calls carrying a deadline `timeout` after
    /// they start (`grpc-timeout`).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The same connection, its calls for `tenant` (metadata `ccroute-tenant`).
    pub fn with_tenant(mut self, tenant: &str) -> Self {
        self.tenant = Some(tenant.to_owned());
        self
    }

    /// A request with this client's metadata.
    fn request<T>(&self, message: T) -> Result<Request<T>, Status> {
        let mut request = Request::new(message);
        if let Some(timeout) = self.timeout {
            request.set_timeout(timeout);
        }
        if let Some(token) = &self.token {
            let value = MetadataValue::try_from(token.as_str())
                .map_err(|_| Status::invalid_argument("the authorization value is not ASCII"))?;
            request.metadata_mut().insert("authorization", value);
        }
        if let Some(tenant) = &self.tenant {
            let value = MetadataValue::try_from(tenant.as_str())
                .map_err(|_| Status::invalid_argument("the tenant name is not ASCII"))?;
            request.metadata_mut().insert("ccroute-tenant", value);
        }
        Ok(request)
    }

    /// The gRPC client over the connection, once it is ready, and `path`.
    async fn ready(
        &self,
        path: &str,
    ) -> Result<(tonic::client::Grpc<Channel>, PathAndQuery), Status> {
        let path = PathAndQuery::try_from(path)
            .map_err(|_| Status::invalid_argument(format!("bad method path {path:?}")))?;
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        grpc.ready().await.map_err(|e| Status::unavailable(e.to_string()))?;
        Ok((grpc, path))
    }

    /// One unary call of `path` (`"/pkg.Service/Method"`): the reply.
    pub async fn unary(&self, path: &str, message: Bytes) -> Result<Bytes, Status> {
        let request = self.request(message)?;
        let (mut grpc, path) = self.ready(path).await?;
        grpc.unary(request, path, BytesCodec).await.map(|r| r.into_inner())
    }

    /// A server-streaming call: the stream of replies, read with
    /// `message().await`.
    pub async fn server_stream(
        &self,
        path: &str,
        message: Bytes,
    ) -> Result<Streaming<Bytes>, Status> {
        let request = self.request(message)?;
        let (mut grpc, path) = self.ready(path).await?;
        grpc.server_streaming(request, path, BytesCodec).await.map(|r| r.into_inner())
    }

    /// A client-streaming call sending `messages`: the reply.
    pub async fn client_stream(&self, path: &str, messages: Vec<Bytes>) -> Result<Bytes, Status> {
        let request = self.request(tokio_stream::iter(messages))?;
        let (mut grpc, path) = self.ready(path).await?;
        grpc.client_streaming(request, path, BytesCodec).await.map(|r| r.into_inner())
    }

    /// A bidirectional call sending `messages`: the stream of replies.
    pub async fn bidi(&self, path: &str, messages: Vec<Bytes>) -> Result<Streaming<Bytes>, Status> {
        let request = self.request(tokio_stream::iter(messages))?;
        let (mut grpc, path) = self.ready(path).await?;
        grpc.streaming(request, path, BytesCodec).await.map(|r| r.into_inner())
    }

    /// A health check of `service` (`""`: the server): the serving status
    /// (`1` SERVING, `2` NOT_SERVING, as `grpc.health.v1` numbers them).
    pub async fn health(&self, service: &str) -> Result<i32, Status> {
        // HealthCheckRequest { service = 1 }, and the reply's
        // HealthCheckResponse { status = 1 }, encoded by hand.
        let mut request = vec![0x0a];
        put_varint(&mut request, service.len() as u64);
        request.extend_from_slice(service.as_bytes());
        let reply = self.unary(HEALTH_CHECK, Bytes::from(request)).await?;
        match reply.as_ref() {
            [] => Ok(0),
            [0x08, status, ..] if *status < 0x80 => Ok(i32::from(*status)),
            _ => Err(Status::internal("unreadable HealthCheckResponse")),
        }
    }
}

/// Appends `n` as a protobuf varint.
fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}
