//! Bearer tokens, checked in one place for every service of a front but
//! health checks: [`Gate`] stands in front of all the routes, so the
//! relayed service, reflection and any service added later are covered
//! alike, and a refused call never reaches a handler.
//!
//! The front holds only the SHA-256 digests of the tokens: it hashes the
//! presented token once and looks the digest up in a set. No stored token
//! is compared with the presented one, so no constant-time comparison is
//! needed: how long a lookup takes could at most say something about a
//! digest, and a digest says nothing usable about a token. The gate only
//! asks whether a token is known; what it may call (its role) is the
//! service's decision, which reads the same `authorization` header from
//! the relayed [`Call`](crate::Call).

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ring::digest::{digest, SHA256};
use tonic::body::Body;
use tonic::codegen::Service;
use tonic::service::Routes;
use tonic::{Code, Status};

use crate::relay::with_class;

/// The service that health checks go to, open to all: a load balancer
/// probing the server holds no token.
const HEALTH: &str = "grpc.health.v1.Health";

/// The SHA-256 digest of a bearer token, the form in which
/// [`Options::token_sha256`](crate::Options::token_sha256) holds tokens.
pub fn token_sha256(token: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, token).as_ref());
    out
}

/// The digests of the bearer tokens a front accepts (`None`: open to all).
#[derive(Clone)]
pub(crate) struct Tokens(Option<Arc<HashSet<[u8; 32]>>>);

impl Tokens {
    pub(crate) fn new(digests: Option<Vec<[u8; 32]>>) -> Self {
        Tokens(digests.map(|d| Arc::new(d.into_iter().collect())))
    }

    /// Whether the `authorization` header in `headers` carries one of the
    /// tokens (always, when the front is open). The refusal never repeats
    /// the header: a malformed one may be the token itself.
    fn check(&self, headers: &http::HeaderMap) -> Result<(), Status> {
        let Some(digests) = &self.0 else {
            return Ok(());
        };
        let refuse = |msg: &str| with_class(Code::Unauthenticated, msg.into(), "Unauthenticated");
        let Some(header) = headers.get(http::header::AUTHORIZATION) else {
            return Err(refuse("missing metadata 'authorization: Bearer <token>'"));
        };
        let header = header.as_bytes();
        let (scheme, token) = match header.iter().position(|&b| b == b' ') {
            Some(i) => (&header[..i], header[i + 1..].trim_ascii()),
            None => (header, &[][..]),
        };
        if !scheme.eq_ignore_ascii_case(b"bearer") || token.is_empty() {
            return Err(refuse(
                "metadata 'authorization' is not 'Bearer <token>' (its value is not repeated here)",
            ));
        }
        if digests.contains(&token_sha256(token)) {
            Ok(())
        } else {
            Err(refuse("invalid bearer token"))
        }
    }
}

/// A front's routes behind the token check.
#[derive(Clone)]
pub(crate) struct Gate {
    pub(crate) routes: Routes,
    pub(crate) tokens: Tokens,
}

impl Service<http::Request<Body>> for Gate {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<http::Request<Body>>::poll_ready(&mut self.routes, cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let service = req.uri().path().trim_start_matches('/').split('/').next();
        if service != Some(HEALTH) {
            if let Err(status) = self.tokens.check(req.headers()) {
                return Box::pin(std::future::ready(Ok(status.into_http())));
            }
        }
        Box::pin(self.routes.call(req))
    }
}

#[cfg(test)]
mod tests {
    use super::{token_sha256, Tokens};

    fn check(tokens: &Tokens, header: Option<&str>) -> Result<(), String> {
        let mut headers = http::HeaderMap::new();
        if let Some(h) = header {
            headers.insert(http::header::AUTHORIZATION, h.parse().unwrap());
        }
        tokens.check(&headers).map_err(|s| s.message().to_owned())
    }

    #[test]
    fn a_bearer_token_is_checked_and_never_repeated() {
        let tokens = Tokens::new(Some(vec![token_sha256(b"old"), token_sha256(b"s3cret")]));
        assert_eq!(check(&tokens, Some("Bearer s3cret")), Ok(()));
        assert_eq!(check(&tokens, Some("bearer  old ")), Ok(()));
        assert!(check(&tokens, None).unwrap_err().contains("missing"));
        assert_eq!(check(&tokens, Some("Bearer wrong")).unwrap_err(), "invalid bearer token");
        for header in ["s3cret", "Basic s3cret", "Bearer", "Bearer "] {
            let message = check(&tokens, Some(header)).unwrap_err();
            assert!(!message.contains("s3cret") && !message.contains("Basic"), "{message}");
        }
        assert_eq!(check(&Tokens::new(None), None), Ok(()));
    }

    #[test]
    fn the_digest_is_sha256() {
        // The SHA-256 test vector of "abc" (FIPS 180-2, appendix B.1).
        let hex: String = token_sha256(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
