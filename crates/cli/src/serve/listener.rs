//! Accepting connections with bounds: at most `max_connections` at once, a
//! client must send its request headers within `header_timeout` (and a
//! keep-alive connection start its next request within it: hyper's header
//! timer runs while it waits), and a connection that stalls within a
//! request for `idle_timeout` is closed. Without these, a few hundred
//! clients sending half a header each would hold the server's sockets for
//! good.
//!
//! At the cap, a new connection is let in by closing the connection that
//! has been idle the longest between requests (as nginx does with its
//! keep-alive connections): idle keep-alive clients cannot lock out new
//! ones. With none idle, the new connection is closed at once.
//!
//! On shutdown (SIGTERM, Ctrl-C) it stops accepting, lets requests in
//! progress finish (up to `drain`), and returns.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt as _;

/// Bounds on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    /// How long requests in progress may take to finish at shutdown.
    pub drain: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            drain: Duration::from_secs(30),
        }
    }
}

/// Connections open now, for tests and metrics.
pub static OPEN_CONNECTIONS: AtomicUsize = AtomicUsize::new(0);
/// Idle keep-alive connections closed to let a new one in, for metrics.
pub static EVICTED_IDLE: AtomicU64 = AtomicU64::new(0);
/// New connections closed at once because every connection was busy.
pub static REFUSED: AtomicU64 = AtomicU64::new(0);

/// How long a new connection waits for the slot of the idle connection
/// closed for it.
const EVICTION_WAIT: Duration = Duration::from_secs(2);

/// One connection, as the listener sees it.
struct Conn {
    /// Requests in progress.
    busy: AtomicUsize,
    /// Requests answered.
    served: AtomicU64,
    /// When its last request ended, in ms since the listener started.
    idle_since_ms: AtomicU64,
    /// Asked to close (it finishes the request in progress, if any).
    closing: AtomicBool,
    close: Notify,
}

/// The open connections.
struct Conns {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Conn>>>,
    epoch: std::time::Instant,
}

impl Conns {
    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn add(&self) -> (u64, Arc<Conn>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            busy: AtomicUsize::new(0),
            served: AtomicU64::new(0),
            idle_since_ms: AtomicU64::new(self.now_ms()),
            closing: AtomicBool::new(false),
            close: Notify::new(),
        });
        self.open.lock().unwrap().insert(id, conn.clone());
        (id, conn)
    }

    fn remove(&self, id: u64) {
        self.open.lock().unwrap().remove(&id);
    }

    /// Asks the keep-alive connection idle the longest (one that answered a
    /// request and has none in progress) to close; whether there was one.
    fn close_idlest(&self) -> bool {
        let open = self.open.lock().unwrap();
        let idlest = open
            .values()
            .filter(|c| {
                c.busy.load(Ordering::Acquire) == 0
                    && c.served.load(Ordering::Acquire) > 0
                    && !c.closing.load(Ordering::Acquire)
            })
            .min_by_key(|c| c.idle_since_ms.load(Ordering::Relaxed));
        match idlest {
            Some(conn) => {
                conn.closing.store(true, Ordering::Release);
                conn.close.notify_one();
                EVICTED_IDLE.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

/// Marks a request in progress on its connection while it lives.
struct Busy {
    conn: Arc<Conn>,
    conns: Arc<Conns>,
}

impl Busy {
    fn new(conn: Arc<Conn>, conns: Arc<Conns>) -> Self {
        conn.busy.fetch_add(1, Ordering::AcqRel);
        Self { conn, conns }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.conn.idle_since_ms.store(self.conns.now_ms(), Ordering::Relaxed);
        self.conn.served.fetch_add(1, Ordering::AcqRel);
        self.conn.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection's socket that fails when nothing is read or written for the
/// idle timeout (an idle keep-alive connection, or a client that stalls).
struct IdleTimeout<T> {
    io: T,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<T> IdleTimeout<T> {
    fn new(io: T, timeout: Duration) -> Self {
        Self {
            io,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    fn touch(&mut self) {
        let next = Instant::now() + self.timeout;
        self.deadline.as_mut().reset(next);
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleTimeout<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.touch();
                }
                Poll::Ready(result)
            }
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleTimeout<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                self.touch();
                Poll::Ready(Ok(n))
            }
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Counts a connection while it lives.
struct Open;

impl Open {
    fn new() -> Self {
        OPEN_CONNECTIONS.fetch_add(1, Ordering::Relaxed);
        Open
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        OPEN_CONNECTIONS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What each connection's task needs.
#[derive(Clone)]
struct Shared {
    app: Router,
    builder: hyper::server::conn::http1::Builder,
    limits: ConnectionLimits,
    conns: Arc<Conns>,
    shutdown: watch::Receiver<bool>,
}

/// Serves one connection until it ends, is asked to close (to let a new
/// connection in) or the server shuts down (then it finishes its request).
async fn connection(stream: TcpStream, permit: OwnedSemaphorePermit, shared: Shared) {
    let _open = Open::new();
    let _ = stream.set_nodelay(true);
    let (id, conn) = shared.conns.add();
    let io = TokioIo::new(IdleTimeout::new(stream, shared.limits.idle_timeout));
    let (app, conns, this) = (shared.app.clone(), shared.conns.clone(), conn.clone());
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let busy = Busy::new(this.clone(), conns.clone());
        let answer = app.clone().oneshot(request);
        async move {
            let response = answer.await;
            drop(busy);
            response
        }
    });
    let serving = shared.builder.serve_connection(io, service);
    tokio::pin!(serving);
    let mut shutdown = shared.shutdown.clone();
    let mut closing = false;
    loop {
        tokio::select! {
            _ = serving.as_mut() => break,
            () = conn.close.notified(), if !closing => {
                closing = true;
                serving.as_mut().graceful_shutdown();
            }
            _ = shutdown.changed(), if !closing => {
                closing = true;
                serving.as_mut().graceful_shutdown();
            }
        }
    }
    shared.conns.remove(id);
    drop(permit);
}

/// Serves `app` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let shared = Shared {
        app,
        builder,
        limits,
        conns: Arc::new(Conns {
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            epoch: std::time::Instant::now(),
        }),
        shutdown: stopped,
    };
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors and the like: wait a little, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let shared = shared.clone();
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(connection(stream, permit, shared));
            }
            // At the cap: the connection idle the longest makes room.
            Err(_) if shared.conns.close_idlest() => {
                let permits = permits.clone();
                tokio::spawn(async move {
                    if let Ok(Ok(permit)) = tokio::time::timeout(EVICTION_WAIT, permits.acquire_owned()).await {
                        connection(stream, permit, shared).await;
                    } else {
                        REFUSED.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            // Every connection is busy: this one is closed at once.
            Err(_) => {
                REFUSED.fetch_add(1, Ordering::Relaxed);
                drop(stream);
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    drop(shared);
    // Every connection's task holds a receiver: closed when all have ended.
    let _ = tokio::time::timeout(limits.drain, stop.closed()).await;
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
