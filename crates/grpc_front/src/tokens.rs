//! Bearer tokens: the reflection services accept a call only with one of
//! the front's tokens.

use std::sync::Arc;

use tonic::{Code, Request, Status};

use crate::relay::with_class;

/// Checks bearer tokens for the reflection services (`None`: open).
#[derive(Clone)]
pub(crate) struct TokenCheck(pub(crate) Option<Arc<Vec<Vec<u8>>>>);

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
