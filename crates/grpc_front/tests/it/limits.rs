//! Deadlines, the message size limit and the concurrency limit.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grpc_front::{Bytes, Code, Options, Shape};

use crate::{class, holding, options, path, Running};

#[test]
fn the_handler_sees_the_clients_deadline() {
    let srv = Running::standard();
    let left = |client: grpc_load::Client| {
        let reply = srv.run(client.unary(&path("Deadline"), Bytes::new())).unwrap();
        String::from_utf8(reply.to_vec()).unwrap()
    };
    let ms: u64 = left(srv.client().with_timeout(Duration::from_secs(30))).parse().unwrap();
    assert!((20_000..=30_000).contains(&ms), "{ms} ms left of 30 s");
    assert_eq!(left(srv.client()), "none");
}

#[test]
fn a_call_past_its_deadline_fails_and_its_late_answer_is_dropped() {
    let mut options = Options::default();
    options.methods.insert("Slow".into(), Shape::Unary);
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let srv = Running::start(options, move |call| {
        let deadline = call.deadline().expect("the client set a deadline");
        while std::time::Instant::now() < deadline + Duration::from_millis(200) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let late =
            (call.time_remaining(), call.is_active(), call.reply(Bytes::from_static(b"late")));
        tx.lock().unwrap().send(late).unwrap();
    });
    let client = srv.client().with_timeout(Duration::from_millis(300));
    let err = srv.run(client.unary(&path("Slow"), Bytes::new())).unwrap_err();
    assert!(matches!(err.code(), Code::DeadlineExceeded | Code::Cancelled), "{err:?}");
    let late = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(late, (Some(Duration::ZERO), false, false));
}

#[test]
fn a_request_over_the_size_limit_is_resource_exhausted_naming_the_limit() {
    let mut options = options();
    options.max_message_bytes = 1024;
    let handled = Arc::new(Mutex::new(0));
    let seen = handled.clone();
    let srv = Running::start(options, move |call| {
        *seen.lock().unwrap() += 1;
        crate::answer(call);
    });
    let client = srv.client();
    let err = srv.run(client.unary(&path("Echo"), Bytes::from(vec![7; 4096]))).unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted);
    assert!(err.message().contains("limit of 1024 bytes"), "{}", err.message());
    assert_eq!(class(&err), Some("MessageTooLarge"));
    assert_eq!(*handled.lock().unwrap(), 0, "an oversized unary request reached the handler");
    // In a client stream, the oversized message ends the call the same way.
    let parts = vec![Bytes::from_static(b"ok"), Bytes::from(vec![7; 4096])];
    let err = srv.run(client.client_stream(&path("Join"), parts)).unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted);
    assert!(err.message().contains("limit of 1024 bytes"), "{}", err.message());
    // A message at the limit goes through.
    let at_limit = Bytes::from(vec![7; 1024]);
    assert_eq!(srv.run(client.unary(&path("Echo"), at_limit.clone())).unwrap(), at_limit);
}

#[test]
fn calls_past_the_concurrency_limit_are_refused_and_the_slot_comes_back() {
    let mut options = options();
    options.max_concurrent_rpcs = 1;
    let (srv, entered, release) = holding(options);
    let client = srv.client();
    let held = srv.spawn({
        let client = client.clone();
        async move { client.unary(&path("Hold"), Bytes::from_static(b"held")).await }
    });
    entered.recv_timeout(Duration::from_secs(10)).unwrap();
    let err = srv.run(client.unary(&path("Echo"), Bytes::new())).unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted);
    assert!(err.message().contains("limit 1"), "{}", err.message());
    assert_eq!(class(&err), Some("ServerBusy"));
    release.send(()).unwrap();
    assert_eq!(srv.run(held).unwrap().unwrap(), Bytes::from_static(b"done"));
    // The answered call gave its slot back.
    assert_eq!(srv.run(client.unary(&path("Echo"), Bytes::from_static(b"x"))).unwrap(), "x");
}
