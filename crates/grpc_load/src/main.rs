//! `grpc-load`: drives unary calls at a ccroute server from its own process,
//! cheaply enough that the server, not the load generator, is what a
//! benchmark on a small machine measures.
//!
//! The requests come pre-encoded in a file (each a 4-byte big-endian length
//! and the encoded request message), so this program needs no knowledge of
//! the protocol's messages; `benches/grpc_load.py` writes the file, runs
//! this program and reads its one-line JSON report.
//!
//! ```text
//! grpc-load --target 127.0.0.1:50051 --requests reqs.bin --method /ccroute.v1.Router/SubmitContact
//!           (--rate 3000 | --concurrency 16) [--connections 2] [--timeout 5] [--tenant acme | --tenants a,b,c]
//! ```
//!
//! How the calls start and what the report says: [`grpc_load::load`].

use std::process::ExitCode;

use grpc_load::load::{parse_args, run};

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("grpc-load: cannot start the runtime: {e}");
                return ExitCode::FAILURE;
            }
        };
    match runtime.block_on(run(args)) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
