//! Health checks (open to all) and bearer tokens (every other service).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use grpc_front::{token_sha256, Bytes, Code, SERVICE};

use crate::{class, options, path, Running};

/// `grpc.health.v1` serving statuses.
const SERVING: i32 = 1;
const NOT_SERVING: i32 = 2;

/// A reflection request listing the services (`list_services: ""`).
const LIST_SERVICES: &[u8] = &[0x3a, 0x00];
const REFLECTION_V1: &str = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const REFLECTION_V1ALPHA: &str = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

#[test]
fn health_checks_follow_set_health() {
    let srv = Running::standard();
    let client = srv.client();
    assert_eq!(srv.run(client.health("")).unwrap(), SERVING);
    assert_eq!(srv.run(client.health(SERVICE)).unwrap(), SERVING);
    srv.front.set_health(SERVICE, false);
    assert_eq!(srv.run(client.health(SERVICE)).unwrap(), NOT_SERVING);
    assert_eq!(srv.run(client.health("")).unwrap(), SERVING);
    srv.front.set_health(SERVICE, true);
    assert_eq!(srv.run(client.health(SERVICE)).unwrap(), SERVING);
    let err = srv.run(client.health("no.such.Service")).unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

/// A server with tokens and reflection, counting the calls that reach
/// its handlers.
fn guarded() -> (Running, Arc<AtomicUsize>) {
    let mut options = options();
    options.token_sha256 = Some(vec![token_sha256(b"old-token"), token_sha256(b"s3cret-token")]);
    options.descriptors = Some(Vec::new());
    let handled = Arc::new(AtomicUsize::new(0));
    let seen = handled.clone();
    let srv = Running::start(options, move |call| {
        seen.fetch_add(1, Ordering::SeqCst);
        crate::answer(call);
    });
    (srv, handled)
}

#[test]
fn the_service_needs_one_of_the_tokens_and_a_refusal_never_echoes_it() {
    let (srv, handled) = guarded();
    let echo = |client: grpc_load::Client| srv.run(client.unary(&path("Echo"), Bytes::new()));
    let err = echo(srv.client()).unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(err.message().contains("missing"), "{}", err.message());
    assert_eq!(class(&err), Some("Unauthenticated"));
    let err = echo(srv.client().with_token("wrong")).unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::Unauthenticated, "invalid bearer token"));
    for header in ["s3cret-token", "Basic s3cret-token", "Bearer"] {
        let err = echo(srv.client().with_authorization(header)).unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{header}");
        assert!(!err.message().contains("s3cret") && !err.message().contains("Basic"), "{err:?}");
    }
    // Streams are refused the same way.
    let err = srv.run(srv.client().client_stream(&path("Join"), vec![])).unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert_eq!(handled.load(Ordering::SeqCst), 0, "a refused call reached a handler");
    // Either token opens the service.
    assert!(echo(srv.client().with_token("s3cret-token")).is_ok());
    assert!(echo(srv.client().with_token("old-token")).is_ok());
    assert_eq!(handled.load(Ordering::SeqCst), 2);
}

#[test]
fn reflection_needs_a_token_and_health_checks_do_not() {
    let (srv, _) = guarded();
    for method in [REFLECTION_V1, REFLECTION_V1ALPHA] {
        let refused = srv.run(srv.client().bidi(method, vec![Bytes::from_static(LIST_SERVICES)]));
        let err = refused.unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{method}");
        let client = srv.client().with_token("s3cret-token");
        let stream = srv.run(client.bidi(method, vec![Bytes::from_static(LIST_SERVICES)]));
        let (replies, end) = srv.run(crate::drain(stream.unwrap()));
        assert_eq!((replies.len(), end.map_err(|s| s.code())), (1, Ok(())), "{method}");
    }
    assert_eq!(srv.run(srv.client().health(SERVICE)).unwrap(), SERVING);
    assert_eq!(srv.run(srv.client().with_token("wrong").health("")).unwrap(), SERVING);
}
