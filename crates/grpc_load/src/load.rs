//! The `grpc-load` run: unary calls at a server from a file of requests
//! encoded ahead of time, started at a fixed rate (open loop) or by a
//! fixed number of callers (closed loop), reported as one line of JSON.
//!
//! The requests file holds each request as a 4-byte big-endian length and
//! the encoded message. With `--rate`, calls start on a fixed schedule and
//! each latency counts from the call's scheduled start, so a server that
//! falls behind is charged for the queueing it causes. With
//! `--concurrency`, that many callers each start their next call when the
//! last one ends (the server's peak rate). `--tenant` names the tenant of
//! every call; `--tenants a,b,c` spreads the calls over several, request
//! `i` going to tenant `i mod n` (many tenants of one server under load).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use tonic::Code;

use crate::Client;

/// How calls are started.
enum Mode {
    /// Fixed rate per second (open loop).
    Rate(f64),
    /// Callers in flight (closed loop).
    Concurrency(usize),
}

/// What to run: the parsed command line.
pub struct Args {
    target: String,
    requests: String,
    method: String,
    mode: Mode,
    connections: usize,
    timeout: Duration,
    /// The tenants the calls go to in turn (empty: none named).
    tenants: Vec<String>,
}

/// `problem`, then how to call the program.
fn usage(problem: &str) -> String {
    format!(
        "grpc-load: {problem}\nusage: grpc-load --target HOST:PORT --requests FILE --method /pkg.Service/Method \
         (--rate PER_SECOND | --concurrency N) [--connections N] [--timeout SECONDS] \
         [--tenant NAME | --tenants NAME,NAME,...]"
    )
}

/// Reads the command line's arguments (without the program's name).
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut target = None;
    let mut requests = None;
    let mut method = None;
    let mut mode = None;
    let mut connections = 2usize;
    let mut timeout = Duration::from_secs(5);
    let mut tenants: Vec<String> = Vec::new();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| usage(&format!("{flag} needs a value")));
        let number = |v: String, what: &str| -> Result<f64, String> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .ok_or_else(|| usage(&format!("{what} must be a positive number, got {v:?}")))
        };
        match flag.as_str() {
            "--target" => target = Some(value()?),
            "--requests" => requests = Some(value()?),
            "--method" => method = Some(value()?),
            "--rate" => mode = Some(Mode::Rate(number(value()?, "--rate")?)),
            "--concurrency" => {
                mode = Some(Mode::Concurrency(number(value()?, "--concurrency")? as usize))
            }
            "--connections" => connections = number(value()?, "--connections")? as usize,
            "--timeout" => timeout = Duration::from_secs_f64(number(value()?, "--timeout")?),
            "--tenant" | "--tenants" => {
                if !tenants.is_empty() {
                    return Err(usage("give --tenant or --tenants once"));
                }
                let given = value()?;
                tenants = given.split(',').map(str::to_owned).collect();
                if flag == "--tenant" && tenants.len() > 1 {
                    return Err(usage(&format!(
                        "--tenant {given:?} names several tenants: use --tenants"
                    )));
                }
                if tenants.iter().any(|t| t.is_empty()) {
                    return Err(usage(&format!("{flag} {given:?}: a tenant name cannot be empty")));
                }
            }
            other => return Err(usage(&format!("unknown argument {other:?}"))),
        }
    }
    Ok(Args {
        target: target.ok_or_else(|| usage("--target is required"))?,
        requests: requests.ok_or_else(|| usage("--requests is required"))?,
        method: method.ok_or_else(|| usage("--method is required"))?,
        mode: mode.ok_or_else(|| usage("one of --rate or --concurrency is required"))?,
        connections: connections.max(1),
        timeout,
        tenants,
    })
}

/// The length-prefixed messages of a requests file.
fn read_requests(path: &str) -> Result<Vec<Bytes>, String> {
    let data = std::fs::read(path).map_err(|e| format!("grpc-load: cannot read {path:?}: {e}"))?;
    let mut buf = Bytes::from(data);
    let mut out = Vec::new();
    while buf.has_remaining() {
        if buf.remaining() < 4 {
            return Err(format!("grpc-load: {path:?} ends inside a length prefix"));
        }
        let n = buf.get_u32() as usize;
        if buf.remaining() < n {
            return Err(format!("grpc-load: {path:?} ends inside a message of {n} bytes"));
        }
        out.push(buf.split_to(n));
    }
    if out.is_empty() {
        return Err(format!("grpc-load: {path:?} holds no request"));
    }
    Ok(out)
}

/// One unary call: `Ok` or the failed call's status code.
async fn call(client: &Client, path: &str, body: Bytes) -> Result<(), Code> {
    client.unary(path, body).await.map(|_| ()).map_err(|s| s.code())
}

/// The `p`th percentile of `sorted` (NaN when empty).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the calls `args` describe: the one-line JSON report, or what
/// stopped the run.
pub async fn run(args: Args) -> Result<String, String> {
    let requests = read_requests(&args.requests)?;
    http::uri::PathAndQuery::try_from(args.method.as_str())
        .map_err(|_| format!("grpc-load: bad method path {:?}", args.method))?;
    let path: Arc<str> = Arc::from(args.method.as_str());
    // Per connection, one client per tenant (the same channel).
    let mut clients: Vec<Vec<Client>> = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let client = Client::connect(&args.target)
            .await
            .map_err(|s| format!("grpc-load: {}", s.message()))?;
        let client = client.with_timeout(args.timeout);
        clients.push(if args.tenants.is_empty() {
            vec![client]
        } else {
            args.tenants.iter().map(|t| client.clone().with_tenant(t)).collect()
        });
    }
    let clients = Arc::new(clients);
    // The client of request `i` on connection `c`.
    let pick = |clients: &[Vec<Client>], c: usize, i: usize| -> Client {
        let per = &clients[c % clients.len()];
        per[i % per.len()].clone()
    };
    let total = requests.len();
    let requests = Arc::new(requests);
    let t0 = Instant::now();
    let mut latencies: Vec<f64> = Vec::with_capacity(total);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut fail = |code: Code| *errors.entry(format!("{code:?}")).or_default() += 1;
    match args.mode {
        Mode::Rate(rate) => {
            let interval = Duration::from_secs_f64(1.0 / rate);
            let mut tasks = Vec::with_capacity(total);
            for (i, body) in requests.iter().enumerate() {
                let scheduled = t0 + interval.mul_f64(i as f64);
                tokio::time::sleep_until(scheduled.into()).await;
                let (client, path, body) = (pick(&clients, i, i), path.clone(), body.clone());
                tasks.push(tokio::spawn(async move {
                    let result = call(&client, &path, body).await;
                    (result, scheduled.elapsed().as_secs_f64())
                }));
            }
            for t in tasks {
                match t.await {
                    Ok((Ok(()), lat)) => latencies.push(lat),
                    Ok((Err(code), _)) => fail(code),
                    Err(_) => fail(Code::Internal),
                }
            }
        }
        Mode::Concurrency(n) => {
            let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut workers = Vec::with_capacity(n);
            for w in 0..n.max(1) {
                let (clients, path, requests, next) =
                    (clients.clone(), path.clone(), requests.clone(), next.clone());
                workers.push(tokio::spawn(async move {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(body) = requests.get(i) else { break };
                        let client = pick(&clients, w, i);
                        let start = Instant::now();
                        let result = call(&client, &path, body.clone()).await;
                        out.push((result, start.elapsed().as_secs_f64()));
                    }
                    out
                }));
            }
            for w in workers {
                for (result, lat) in w.await.unwrap_or_default() {
                    match result {
                        Ok(()) => latencies.push(lat),
                        Err(code) => fail(code),
                    }
                }
            }
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let failed: usize = errors.values().sum();
    let by_code: Vec<String> = errors.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    Ok(format!(
        "{{\"calls\": {total}, \"ok\": {}, \"errors\": {failed}, \"error_codes\": {{{}}}, \"seconds\": {elapsed:.6}, \"rate\": {:.1}, \
         \"p50_ms\": {:.3}, \"p90_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
        latencies.len(),
        by_code.join(", "),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0) * 1e3,
        percentile(&latencies, 90.0) * 1e3,
        percentile(&latencies, 99.0) * 1e3,
        latencies.last().copied().unwrap_or(f64::NAN) * 1e3,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Result<Args, String> {
        let base =
            ["--target", "h:1", "--requests", "f", "--method", "/a.B/C", "--concurrency", "4"];
        parse_args(base.iter().chain(extra).map(|s| s.to_string()))
    }

    #[test]
    fn tenants_are_one_or_a_list() {
        assert!(args(&[]).unwrap().tenants.is_empty());
        assert_eq!(args(&["--tenant", "acme"]).unwrap().tenants, ["acme"]);
        assert_eq!(args(&["--tenants", "t0,t1,t2"]).unwrap().tenants, ["t0", "t1", "t2"]);
        let err = |extra: &[&str]| args(extra).err().unwrap();
        assert!(err(&["--tenant", "a,b"])
            .contains("--tenant \"a,b\" names several tenants: use --tenants"));
        assert!(err(&["--tenants", "a,,b"]).contains("a tenant name cannot be empty"));
        assert!(
            err(&["--tenant", "a", "--tenants", "b"]).contains("give --tenant or --tenants once")
        );
    }
}
