//! Binding, starting and stopping, with calls in flight; and the load
//! generator's run against a front.

use std::time::{Duration, Instant};

use grpc_front::{Bytes, Code, ErrorKind, Front, Options, Tls};

use crate::{holding, options, path, Running};

#[test]
fn stop_lets_a_call_in_flight_finish_and_refuses_new_connections() {
    let (mut srv, entered, release) = holding(options());
    let client = srv.client();
    let held = srv.spawn({
        let client = client.clone();
        async move { client.unary(&path("Hold"), Bytes::new()).await }
    });
    entered.recv_timeout(Duration::from_secs(10)).unwrap();
    let front = srv.front.clone();
    let stopping = std::thread::spawn(move || {
        let t0 = Instant::now();
        front.stop(Duration::from_secs(20));
        t0.elapsed()
    });
    while !srv.front.stopping() {
        std::thread::sleep(Duration::from_millis(5));
    }
    // The listener closes: a new connection is refused...
    let deadline = Instant::now() + Duration::from_secs(10);
    while srv.run(grpc_load::Client::connect(&srv.target)).is_ok() {
        assert!(Instant::now() < deadline, "still accepting connections while stopping");
        std::thread::sleep(Duration::from_millis(20));
    }
    // ...while the call in flight still gets its answer.
    release.send(()).unwrap();
    assert_eq!(srv.run(held).unwrap().unwrap(), Bytes::from_static(b"done"));
    let took = stopping.join().unwrap();
    assert!(took < Duration::from_secs(15), "stop waited {took:?} after the last call ended");
    assert!(srv.front.next_call(Duration::from_millis(10)).is_none());
    srv.stop(Duration::ZERO);
}

#[test]
fn stop_ends_calls_still_running_after_the_grace_and_frees_the_port() {
    let (mut srv, entered, _release) = holding(options());
    let stream = srv.run(srv.client().server_stream(&path("Forever"), Bytes::new())).unwrap();
    entered.recv_timeout(Duration::from_secs(10)).unwrap();
    let reading = srv.spawn(crate::drain(stream));
    let t0 = Instant::now();
    srv.stop(Duration::from_millis(300));
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(10), "stop took {took:?} with a grace of 300 ms");
    let (messages, end) = srv.run(reading).unwrap();
    assert_eq!(messages, [Bytes::from_static(b"first")]);
    if let Err(status) = end {
        assert!(matches!(status.code(), Code::Cancelled | Code::Unavailable | Code::Unknown));
    }
    // The port is free again.
    std::net::TcpListener::bind(&srv.target).expect("the stopped front's port is free");
}

#[test]
fn stop_is_idempotent_and_a_front_starts_once() {
    let mut srv = Running::standard();
    let err = srv.front.start().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    assert!(err.to_string().contains("already started"), "{err}");
    srv.stop(Duration::ZERO);
    srv.front.stop(Duration::ZERO);
    assert!(srv.front.stopping());
}

#[test]
fn binding_names_the_busy_address_and_bad_tls_material() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let err = Front::bind(&address, Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Bind);
    assert!(err.to_string().contains(&format!("cannot listen on {address}")), "{err}");
    let tls = Tls { cert: b"not a certificate".to_vec(), key: b"not a key".to_vec() };
    let options = Options { tls: Some(tls), ..Options::default() };
    let err = Front::bind("127.0.0.1:0", options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls);
    assert!(err.to_string().contains("bad TLS certificate or key"), "{err}");
    let options = Options { descriptors: Some(b"\xff\xff".to_vec()), ..Options::default() };
    let err = Front::bind("127.0.0.1:0", options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Descriptors);
}

#[test]
fn the_load_generator_runs_against_a_front() {
    let srv = Running::standard();
    let file = std::env::temp_dir().join(format!("grpc-front-load-{}.bin", std::process::id()));
    let mut requests = Vec::new();
    for i in 0..40u32 {
        let message = i.to_be_bytes();
        requests.extend_from_slice(&(message.len() as u32).to_be_bytes());
        requests.extend_from_slice(&message);
    }
    std::fs::write(&file, requests).unwrap();
    let (file_name, method) = (file.to_str().unwrap(), path("Echo"));
    let args = ["--target", &srv.target, "--requests", file_name, "--method", &method]
        .into_iter()
        .chain(["--concurrency", "4"])
        .map(str::to_owned);
    let report = srv.run(grpc_load::load::run(grpc_load::load::parse_args(args).unwrap()));
    std::fs::remove_file(&file).unwrap();
    let report = report.unwrap();
    assert!(report.starts_with("{\"calls\": 40, \"ok\": 40, \"errors\": 0,"), "{report}");
}
