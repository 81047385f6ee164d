//! A small HTTP/1.1 server on 127.0.0.1 for the remote JWKS and introspection tests: routes set
//! and swapped while it runs, request counts per path, every request recorded (method, headers,
//! body read by its `Content-Length`), optional delays and holds, optional TLS (rustls +
//! aws-lc-rs). Every loop is bounded: the accept loop by a stop flag and a deadline, reads by
//! timeouts and a size limit, delays and holds by the stop flag and a deadline.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// One canned response.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send `Content-Length` (else the body ends when the connection closes).
    pub content_length: bool,
}

/// The longest a reply is held by [`Server::hold_until_hits`].
pub const HOLD_LIMIT: Duration = Duration::from_secs(10);

/// The largest request body read.
const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// One request as received.
#[allow(dead_code)] // read by introspection.rs, not by the JWKS tests
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The request target, query included.
    pub target: String,
    /// Header names in lower case, in order, repeats kept.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[allow(dead_code)] // used by introspection.rs, not by the JWKS tests
impl Recorded {
    /// The value of the one header `name` (any case); `None` when absent or repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (Some(v), None) => Some(v),
            _ => None,
        }
    }

    /// The body as `application/x-www-form-urlencoded` pairs, decoded.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The value of the one form member `name`; `None` when absent or repeated.
    pub fn form_value(&self, name: &str) -> Option<String> {
        let form = self.form();
        let mut values = form.iter().filter(|(n, _)| n == name);
        match (values.next(), values.next()) {
            (Some((_, v)), None) => Some(v.clone()),
            _ => None,
        }
    }
}

impl Reply {
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
            content_length: true,
        }
    }

    /// Status 200 with this `Content-Type` and body.
    #[allow(dead_code)] // used by introspection.rs, not by the JWKS tests
    pub fn typed(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply::json(body).content_type(content_type)
    }

    /// Replaces the `Content-Type` header (`""` removes it).
    #[allow(dead_code)] // used by introspection.rs, not by the JWKS tests
    pub fn content_type(mut self, content_type: &str) -> Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        if !content_type.is_empty() {
            self.headers
                .push(("Content-Type".into(), content_type.into()));
        }
        self
    }

    pub fn status(status: u16) -> Self {
        Reply {
            status,
            ..Reply::json("{}")
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn without_length(mut self) -> Self {
        self.content_length = false;
        self
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Reply>>,
    hits: Mutex<HashMap<String, usize>>,
    requests: Mutex<Vec<(String, Recorded)>>,
    holds: Mutex<HashMap<String, usize>>,
}

pub struct Server {
    addr: SocketAddr,
    tls: bool,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

/// The longest a test server lives, whatever happens.
const LIFETIME: Duration = Duration::from_secs(120);

impl Server {
    pub fn start() -> Self {
        Self::spawn(None)
    }

    pub fn start_tls(config: Arc<rustls::ServerConfig>) -> Self {
        Self::spawn(Some(config))
    }

    fn spawn(tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let is_tls = tls.is_some();
        let accept = {
            let (shared, stop) = (shared.clone(), stop.clone());
            thread::spawn(move || {
                let deadline = Instant::now() + LIFETIME;
                let mut workers = Vec::new();
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (shared, stop, tls) = (shared.clone(), stop.clone(), tls.clone());
                            workers.push(thread::spawn(move || {
                                serve(stream, tls, &shared, &stop);
                            }));
                        }
                        Err(_) => thread::sleep(Duration::from_millis(2)),
                    }
                }
                for w in workers {
                    let _ = w.join();
                }
            })
        };
        Server {
            addr,
            tls: is_tls,
            shared,
            stop,
            accept: Some(accept),
        }
    }

    /// `http(s)://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.shared
            .routes
            .lock()
            .unwrap()
            .insert(path.into(), reply);
    }

    pub fn hits(&self, path: &str) -> usize {
        *self.shared.hits.lock().unwrap().get(path).unwrap_or(&0)
    }

    /// Requests received on every path, unrouted ones (answered 404) included.
    #[allow(dead_code)] // used by jwks_vectors.rs, not by jwks_remote.rs
    pub fn total_hits(&self) -> usize {
        self.shared.hits.lock().unwrap().values().sum()
    }

    /// Holds every answer on `path` until it has received `hits` requests (bounded by
    /// [`HOLD_LIMIT`]): shows that requests run in parallel without timing them.
    #[allow(dead_code)] // used by introspection.rs, not by the JWKS tests
    pub fn hold_until_hits(&self, path: &str, hits: usize) {
        self.shared.holds.lock().unwrap().insert(path.into(), hits);
    }

    /// The requests received on `path`, in order.
    #[allow(dead_code)] // used by introspection.rs, not by the JWKS tests
    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, r)| r.clone())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    shared: &Shared,
    stop: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(3)));
    match tls {
        None => exchange(stream, shared, stop),
        Some(config) => {
            let Ok(conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(conn, stream);
            exchange(&mut tls, shared, stop);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    }
}

fn exchange(mut io: impl Read + Write, shared: &Shared, stop: &AtomicBool) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    let head_end = loop {
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if request.len() >= 16 * 1024 {
            return;
        }
        match io.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    };
    let text = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let mut lines = text.split("\r\n");
    let mut start = lines.next().unwrap_or("").split_whitespace();
    let method = start.next().unwrap_or("").to_owned();
    let target = start.next().unwrap_or("/").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_REQUEST_BODY);
    let mut body = request.split_off(head_end);
    while body.len() < length {
        match io.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    body.truncate(length);
    let path = target.split('?').next().unwrap_or("/").to_owned();
    shared.requests.lock().unwrap().push((
        path.clone(),
        Recorded {
            method,
            target: target.clone(),
            headers,
            body,
        },
    ));
    *shared.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let reply = shared
        .routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Reply::status(404));
    let hold = *shared.holds.lock().unwrap().get(&path).unwrap_or(&0);
    let held = Instant::now() + HOLD_LIMIT;
    while *shared.hits.lock().unwrap().get(&path).unwrap_or(&0) < hold
        && Instant::now() < held
        && !stop.load(Ordering::SeqCst)
    {
        thread::sleep(Duration::from_millis(2));
    }
    let until = Instant::now() + reply.delay;
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(10));
    }
    let mut head = format!("HTTP/1.1 {} Test\r\nConnection: close\r\n", reply.status);
    if reply.content_length {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = io.write_all(head.as_bytes());
    let _ = io.write_all(&reply.body);
    let _ = io.flush();
}
