//! Integration tests of the gRPC front end: a front on 127.0.0.1:0, a few
//! plain handler threads answering its calls, and `grpc_load`'s client
//! (the one the load benchmark uses) checking what goes over the wire.
//! Every test stops its server, by [`Running`]'s `Drop` if not itself.

#![allow(missing_docs)]

mod auth;
mod calls;
mod lifecycle;
mod limits;

use std::future::Future;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use grpc_front::{Bytes, Call, Code, Front, Options, Shape, Status};
use grpc_load::Client;

/// Handler threads per server: enough for a test that holds one call
/// while others go through.
const HANDLERS: usize = 4;

/// The full path of a method of the relayed service.
pub fn path(method: &str) -> String {
    format!("/{}/{method}", grpc_front::SERVICE)
}

/// The options most tests use: the methods [`answer`] knows.
pub fn options() -> Options {
    let mut options = Options::default();
    for (name, shape) in [
        ("Echo", Shape::Unary),
        ("Deadline", Shape::Unary),
        ("Count", Shape::ServerStream),
        ("Fail", Shape::ServerStream),
        ("Drop", Shape::ServerStream),
        ("Join", Shape::ClientStream),
        ("Chat", Shape::Bidi),
    ] {
        options.methods.insert(name.to_owned(), shape);
    }
    options
}

/// The handler most tests use, by method:
/// - `Echo`: replies with the request;
/// - `Deadline`: replies with the milliseconds left before the deadline
///   (`none` without one);
/// - `Count`: sends messages `[0]`, `[1]`, ... up to the request's first
///   byte, then ends normally;
/// - `Fail`: sends two messages, then ends with NOT_FOUND and an error
///   class in the trailers;
/// - `Drop`: sends one message and drops the call unanswered;
/// - `Join`: replies with the requests of the stream put end to end;
/// - `Chat`: answers each request of the stream with itself.
pub fn answer(call: Call) {
    match call.method() {
        "Echo" => {
            call.reply(call.request().cloned().unwrap_or_default());
        }
        "Deadline" => {
            let left = match call.time_remaining() {
                Some(d) => d.as_millis().to_string(),
                None => "none".to_owned(),
            };
            call.reply(Bytes::from(left));
        }
        "Count" => {
            let n = call.request().and_then(|r| r.first().copied()).unwrap_or(0);
            for i in 0..n {
                if !call.send(Bytes::from(vec![i])) {
                    return;
                }
            }
            call.finish(Status::ok(""));
        }
        "Fail" => {
            call.send(Bytes::from_static(b"one"));
            call.send(Bytes::from_static(b"two"));
            let trailers = [("ccroute-error".to_owned(), "UnknownId".to_owned())];
            let status = grpc_front::status(Code::NotFound, "no contact \"c9\"", &trailers);
            call.finish(status.expect("ASCII metadata"));
        }
        "Drop" => {
            call.send(Bytes::from_static(b"one"));
        }
        "Join" => {
            let mut all = Vec::new();
            while let Some(part) = call.next_request() {
                all.extend_from_slice(&part);
            }
            call.reply(Bytes::from(all));
        }
        "Chat" => {
            while let Some(message) = call.next_request() {
                call.send(message);
            }
            call.finish(Status::ok(""));
        }
        other => panic!("no handler for {other}"),
    }
}

/// A started front with its handler threads, and a runtime for clients.
pub struct Running {
    pub front: Arc<Front>,
    pub target: String,
    runtime: tokio::runtime::Runtime,
    handlers: Vec<JoinHandle<()>>,
}

impl Running {
    /// Binds 127.0.0.1:0 with `options`, starts, and runs `handler` on
    /// every call in [`HANDLERS`] threads.
    pub fn start(options: Options, handler: impl Fn(Call) + Send + Sync + 'static) -> Running {
        let front = Arc::new(Front::bind("127.0.0.1:0", options).expect("bind 127.0.0.1:0"));
        front.start().expect("start");
        let handler = Arc::new(handler);
        let handlers = (0..HANDLERS)
            .map(|_| {
                let (front, handler) = (front.clone(), handler.clone());
                std::thread::spawn(move || loop {
                    match front.next_call(Duration::from_millis(50)) {
                        Some(call) => handler(call),
                        None if front.stopping() => return,
                        None => {}
                    }
                })
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("client runtime");
        let target = format!("127.0.0.1:{}", front.port());
        Running { front, target, runtime, handlers }
    }

    /// [`start`](Running::start) with [`options`] and [`answer`].
    pub fn standard() -> Running {
        Running::start(options(), answer)
    }

    /// Runs `future` (client code) to its end.
    pub fn run<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Starts `future` (client code) in the background.
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(future)
    }

    /// A new connection to the server.
    pub fn client(&self) -> Client {
        self.run(Client::connect(&self.target)).expect("connect")
    }

    /// Stops the front (waiting up to `grace` for calls in progress) and
    /// joins the handler threads.
    pub fn stop(&mut self, grace: Duration) {
        self.front.stop(grace);
        for h in self.handlers.drain(..) {
            h.join().expect("a handler thread panicked");
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.front.stop(Duration::from_secs(1));
        for h in self.handlers.drain(..) {
            let _ = h.join();
        }
    }
}

/// Reads a server stream to its end: the messages, and the error that
/// ended it, if any.
pub async fn drain(mut stream: tonic::codec::Streaming<Bytes>) -> (Vec<Bytes>, Result<(), Status>) {
    let mut out = Vec::new();
    loop {
        match stream.message().await {
            Ok(Some(m)) => out.push(m),
            Ok(None) => return (out, Ok(())),
            Err(status) => return (out, Err(status)),
        }
    }
}

/// A server with `options` whose `Hold` calls (unary) announce themselves
/// on the returned receiver, then wait for a message on the returned sender
/// before they answer `done`; whose `Forever` calls (server streams) send
/// one message, announce themselves and then wait until the client leaves
/// (or the front stops); and whose other methods [`answer`] knows.
pub fn holding(mut options: Options) -> (Running, mpsc::Receiver<()>, mpsc::Sender<()>) {
    options.methods.insert("Hold".into(), Shape::Unary);
    options.methods.insert("Forever".into(), Shape::ServerStream);
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let (entered_tx, release_rx) = (Mutex::new(entered_tx), Mutex::new(release_rx));
    let srv = Running::start(options, move |call| match call.method() {
        "Hold" => {
            entered_tx.lock().unwrap().send(()).unwrap();
            release_rx.lock().unwrap().recv().unwrap();
            call.reply(Bytes::from_static(b"done"));
        }
        "Forever" => {
            call.send(Bytes::from_static(b"first"));
            entered_tx.lock().unwrap().send(()).unwrap();
            let give_up = Instant::now() + Duration::from_secs(30);
            while call.is_active() && Instant::now() < give_up {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        _ => answer(call),
    });
    (srv, entered, release)
}

/// The `ccroute-error` trailer of a status.
pub fn class(status: &Status) -> Option<&str> {
    status.metadata().get("ccroute-error").and_then(|v| v.to_str().ok())
}
