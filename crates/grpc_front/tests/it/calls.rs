//! Every call shape, answered by a handler thread.

use grpc_front::{Bytes, Code, Options, Shape};

use crate::{drain, path, Running};

#[test]
fn a_unary_call_is_answered_with_the_handlers_reply() {
    let srv = Running::standard();
    let client = srv.client();
    let reply = srv.run(client.unary(&path("Echo"), Bytes::from_static(b"hello")));
    assert_eq!(reply.unwrap(), Bytes::from_static(b"hello"));
    // An empty message is a message too.
    assert_eq!(srv.run(client.unary(&path("Echo"), Bytes::new())).unwrap(), Bytes::new());
}

#[test]
fn the_handler_sees_the_method_the_peer_and_the_authorization() {
    let mut options = Options::default();
    options.methods.insert("Who".into(), Shape::Unary);
    let srv = Running::start(options, |call| {
        let who = format!(
            "{} {} {:?} {}",
            call.method(),
            call.peer_name(),
            call.authorization(),
            call.peer().is_some_and(|p| p.ip().is_loopback())
        );
        call.reply(Bytes::from(who));
    });
    let client = srv.client().with_token("t0k");
    let reply = srv.run(client.unary(&path("Who"), Bytes::new())).unwrap();
    let reply = String::from_utf8(reply.to_vec()).unwrap();
    assert!(reply.starts_with("Who ipv4:127.0.0.1:"), "{reply}");
    assert!(reply.ends_with(" Some(\"Bearer t0k\") true"), "{reply}");
}

#[test]
fn a_method_the_options_do_not_name_is_unimplemented_and_named() {
    let srv = Running::standard();
    let err = srv.run(srv.client().unary(&path("Teleport"), Bytes::new())).unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    assert!(err.message().contains("Teleport"), "{}", err.message());
    let err = srv.run(srv.client().unary("/ccroute.v9.Elsewhere/Get", Bytes::new())).unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
}

#[test]
fn a_server_stream_delivers_every_message_in_order_past_its_buffer() {
    let srv = Running::standard();
    // 200 messages: far more than the front buffers, so the handler's
    // sends wait for the client to read.
    let stream =
        srv.run(srv.client().server_stream(&path("Count"), Bytes::from(vec![200]))).unwrap();
    let (messages, end) = srv.run(drain(stream));
    assert_eq!(end.map_err(|s| s.code()), Ok(()));
    let expected: Vec<Bytes> = (0..200).map(|i| Bytes::from(vec![i as u8])).collect();
    assert_eq!(messages, expected);
}

#[test]
fn a_server_stream_ending_in_error_keeps_its_messages_code_and_trailers() {
    let srv = Running::standard();
    let stream = srv.run(srv.client().server_stream(&path("Fail"), Bytes::new())).unwrap();
    let (messages, end) = srv.run(drain(stream));
    assert_eq!(messages, [Bytes::from_static(b"one"), Bytes::from_static(b"two")]);
    let err = end.unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::NotFound, "no contact \"c9\""));
    assert_eq!(crate::class(&err), Some("UnknownId"));
}

#[test]
fn a_call_dropped_unanswered_ends_with_internal() {
    let srv = Running::standard();
    let stream = srv.run(srv.client().server_stream(&path("Drop"), Bytes::new())).unwrap();
    let (messages, end) = srv.run(drain(stream));
    assert_eq!(messages, [Bytes::from_static(b"one")]);
    assert_eq!(end.unwrap_err().code(), Code::Internal);
}

#[test]
fn a_client_stream_is_read_to_its_end_then_answered() {
    let srv = Running::standard();
    let parts: Vec<Bytes> = ["a", "bc", "", "def"].iter().map(|s| Bytes::from(*s)).collect();
    let reply = srv.run(srv.client().client_stream(&path("Join"), parts)).unwrap();
    assert_eq!(reply, Bytes::from_static(b"abcdef"));
    // A stream of no message ends at once.
    assert_eq!(srv.run(srv.client().client_stream(&path("Join"), vec![])).unwrap(), Bytes::new());
}

#[test]
fn a_bidirectional_stream_answers_each_request() {
    let srv = Running::standard();
    let sent: Vec<Bytes> = (0..50u8).map(|i| Bytes::from(vec![i; i as usize + 1])).collect();
    let stream = srv.run(srv.client().bidi(&path("Chat"), sent.clone())).unwrap();
    let (got, end) = srv.run(drain(stream));
    assert_eq!(end.map_err(|s| s.code()), Ok(()));
    assert_eq!(got, sent);
}
