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
use std::sync::{Arc, Mutex, RwLock};
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

/// Most refusals kept until [`Tokens::take_refusals`] reads them; more
/// are counted, not kept.
const REFUSALS_KEPT: usize = 1000;

/// The calls the gate refused since they were last read: each call's path
/// and the refusal's message (never the token), and how many more there
/// were beyond [`REFUSALS_KEPT`].
#[derive(Default)]
struct Refusals {
    kept: Vec<(String, String)>,
    dropped: u64,
}

/// The digests of the bearer tokens a front accepts (`None`: open to all),
/// replaceable while serving, and the refusals not yet read.
#[derive(Clone)]
pub(crate) struct Tokens {
    digests: Option<Arc<RwLock<HashSet<[u8; 32]>>>>,
    refusals: Arc<Mutex<Refusals>>,
}

impl Tokens {
    pub(crate) fn new(digests: Option<Vec<[u8; 32]>>) -> Self {
        Tokens {
            digests: digests.map(|d| Arc::new(RwLock::new(d.into_iter().collect()))),
            refusals: Arc::default(),
        }
    }

    /// Replaces the accepted tokens (calls already admitted are not
    /// affected). A front started open stays open: `false`.
    pub(crate) fn replace(&self, digests: Vec<[u8; 32]>) -> bool {
        let Some(set) = &self.digests else {
            return false;
        };
        *set.write().unwrap_or_else(|e| e.into_inner()) = digests.into_iter().collect();
        true
    }

    /// The refusals since the last call (path, message) and how many were
    /// not kept.
    pub(crate) fn take_refusals(&self) -> (Vec<(String, String)>, u64) {
        let mut r = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        (std::mem::take(&mut r.kept), std::mem::take(&mut r.dropped))
    }

    fn refused(&self, path: &str, message: &str) {
        let mut r = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        if r.kept.len() < REFUSALS_KEPT {
            r.kept.push((path.to_owned(), message.to_owned()));
        } else {
            r.dropped += 1;
        }
    }

    /// Whether the `authorization` header in `headers` carries one of the
    /// tokens (always, when the front is open). The refusal never repeats
    /// the header: a malformed one may be the token itself.
    fn check(&self, headers: &http::HeaderMap) -> Result<(), Status> {
        let Some(digests) = &self.digests else {
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
        let known =
            digests.read().unwrap_or_else(|e| e.into_inner()).contains(&token_sha256(token));
        if known {
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
                self.tokens.refused(req.uri().path(), status.message());
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
    fn tokens_are_replaced_while_serving_and_an_open_front_stays_open() {
        let tokens = Tokens::new(Some(vec![token_sha256(b"old")]));
        assert_eq!(check(&tokens, Some("Bearer old")), Ok(()));
        assert!(tokens.replace(vec![token_sha256(b"new")]));
        assert_eq!(check(&tokens, Some("Bearer new")), Ok(()));
        assert_eq!(check(&tokens, Some("Bearer old")), Err("invalid bearer token".into()));
        let open = Tokens::new(None);
        assert!(!open.replace(vec![token_sha256(b"new")]));
        assert_eq!(check(&open, None), Ok(()));
    }

    #[test]
    fn refusals_are_kept_up_to_a_bound_and_then_counted() {
        let tokens = Tokens::new(Some(vec![]));
        for _ in 0..super::REFUSALS_KEPT + 5 {
            tokens.refused("/ccroute.v1.Router/GetStatus", "invalid bearer token");
        }
        let (kept, dropped) = tokens.take_refusals();
        assert_eq!((kept.len(), dropped), (super::REFUSALS_KEPT, 5));
        assert_eq!(kept[0], ("/ccroute.v1.Router/GetStatus".into(), "invalid bearer token".into()));
        assert_eq!(tokens.take_refusals(), (vec![], 0));
    }

    #[test]
    fn the_digest_is_sha256() {
        // The SHA-256 test vector of "abc" (FIPS 180-2, appendix B.1).
        let hex: String = token_sha256(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
