//! `verifier serve`: the HTTP service the widget talks to, and the school's admin API, with the
//! demo site's static files (see `openapi.json` beside this crate's manifest for every route).
//!
//! Shape: `app(state) -> Router` apart from the listener, so tests can drive it over a real socket
//! on 127.0.0.1. One writer thread owns the archive ([`writer`]): receipts and requests that
//! arrive together are committed together (group commit) and acknowledged after the commit.
//! Reads use a pool of read-only handles. Limits: per client, a rate and a number of requests in
//! flight (429), checked before one concurrency limit for the whole service, so one client
//! cannot hold the service's slots; the body's media type (415) and size (413 before any
//! parsing); a timeout (408) on reads and on receiving a write's body — but once a write is
//! queued it is waited for, because answering "timeout" for a write that then commits would be
//! a lie. Every error is JSON.

pub mod admin;
mod body;
mod challenges;
pub mod console;
pub mod error;
mod limits;
pub mod public;
mod readers;
mod respond;
mod site;
pub mod writer;

pub use body::MAX_BODY_BYTES;
pub use limits::RateLimit;
/// The content hash in a site file's name that makes the service let browsers keep it a year.
pub use site::HASH_DIGITS as CONTENT_HASH_DIGITS;

use crate::archive::Archive;
use crate::keys;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use axum::{middleware, BoxError, Router};
use challenges::Challenges;
use error::ApiError;
use readers::Readers;
use shared::primitives::PublicKey;
use shared::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use writer::Writer;

/// The policy every page of the site and every response is served under: nothing from third
/// parties, scripts only from this origin plus WebAssembly compilation, no framing by others;
/// stylesheets from this origin, and the printed letters' one inline stylesheet by its hash (the
/// console opens a letters page as a document of this origin, which inherits this policy, in a
/// frame of a `blob:` URL that only a page of this origin can make).
pub fn content_security_policy() -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' {}; img-src 'self' data:; \
         connect-src 'self'; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'",
        crate::letters::style_source()
    )
}

/// How the service runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data directory.
    pub data: PathBuf,
    /// The demo site to serve, if any.
    pub www: Option<PathBuf>,
    /// Origins allowed to call the API from another site (a school's own website).
    pub allowed_origins: Vec<String>,
    /// Per-client rate limit.
    pub rate_limit: RateLimit,
    /// Requests handled at once; more wait.
    pub max_concurrency: usize,
    /// Requests one client (IPv4 address, IPv6 /64) may have in flight; more are refused (429).
    pub max_in_flight_per_client: usize,
    /// Longest a request may take.
    pub timeout: Duration,
    /// Longest a client may take to send a request head.
    pub header_read_timeout: Duration,
    /// The consent page families' links open: the console's reminders need it.
    pub consent_page: Option<String>,
    /// The school's SMTP server, through which the console's reminders are e-mailed; without
    /// it they are answered as a list.
    pub mailer: Option<crate::mail::Mailer>,
}

impl Config {
    /// Refuses a configuration that would silently not do what it says: an allowed origin must
    /// be exactly `scheme://host[:port]`, as browsers send it; and one that would leak: the site
    /// folder must not overlap the data directory.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(www) = &self.www {
            site::refuse_overlap(www, &self.data)?;
        }
        for origin in &self.allowed_origins {
            let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
            let well_formed = rest.is_some_and(|host| !host.is_empty() && !host.contains(['/', '?', '#', ' ']));
            if !well_formed || HeaderValue::from_str(origin).is_err() {
                return Err(format!("--allow-origin {origin:?} must be exactly scheme://host[:port], with no path"));
            }
        }
        Ok(())
    }

    /// Defaults for `data`: no site, no other origins, 50 requests/s per client (burst 200) and
    /// 16 in flight per client, 512 at once, 15 s per request, 10 s to send a request head; no
    /// consent page and no e-mail.
    pub fn new(data: PathBuf) -> Config {
        Config {
            data,
            www: None,
            allowed_origins: Vec::new(),
            rate_limit: RateLimit { per_second: 50.0, burst: 200.0 },
            max_concurrency: 512,
            max_in_flight_per_client: 16,
            timeout: Duration::from_secs(15),
            header_read_timeout: Duration::from_secs(10),
            consent_page: None,
            mailer: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    writer: Writer,
    readers: Readers,
    challenges: Challenges,
    admin_token: Option<Arc<str>>,
    dir: Arc<std::path::Path>,
    /// How long receiving a request body may take.
    body_timeout: Duration,
    /// How the console's reminders reach families.
    reminders: Arc<Reminding>,
    /// The school's root key.
    pub school: PublicKey,
}

/// What the console's "Send reminders" needs from the configuration.
struct Reminding {
    consent_page: Option<String>,
    mailer: Option<crate::mail::Mailer>,
}

impl AppState {
    /// Opens the archive in `config.data`, starts the writer thread and reads the admin token.
    pub fn open(config: &Config) -> Result<(AppState, std::thread::JoinHandle<()>), crate::archive::ArchiveError> {
        let archive = Archive::open(&config.data)?;
        let school = archive.school();
        let (writer, thread) = Writer::spawn(archive)?;
        let admin_token = std::fs::read_to_string(config.data.join(keys::ADMIN_TOKEN))
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| t.len() >= 32)
            .map(Arc::from);
        let state = AppState {
            writer,
            readers: Readers::new(config.data.clone()),
            challenges: Challenges::new(&mut rand_core::OsRng),
            admin_token,
            dir: Arc::from(config.data.as_path()),
            body_timeout: config.timeout,
            reminders: Arc::new(Reminding { consent_page: config.consent_page.clone(), mailer: config.mailer.clone() }),
            school,
        };
        Ok((state, thread))
    }
}

/// The whole service as a router: under `/v1` one router per audience, each with its own scope —
/// [`public`](fn@public) for families and the widget, [`admin`](fn@admin) for the school's
/// bearer token, [`console`](fn@console) for staff keys — then the site's files.
pub fn app(state: AppState, config: &Config) -> Router {
    let limiter = limits::Limiter::new(config.rate_limit, config.max_in_flight_per_client);
    let api = public(config)
        .nest("/admin", admin(state.clone(), config))
        .nest("/console", console(state.clone(), config))
        // Set after every audience has joined: these replace the default 404 and 405 of every
        // route, so a wrong path or method says so in JSON, and no route's guard runs first.
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Personal data and signed answers are never kept in shared or browser caches.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    let mut router = Router::new().nest("/v1", api).with_state(state);
    router = match &config.www {
        Some(www) => router.fallback_service(
            ServiceBuilder::new()
                .layer(middleware::from_fn(site::hide_secrets))
                .layer(middleware::from_fn(site::cache_policy))
                .service(site::files(www)),
        ),
        None => router.fallback(not_found),
    };
    router = router
        // One semaphore for the whole service (a plain concurrency layer on a router would give
        // every route its own)…
        .layer(GlobalConcurrencyLimitLayer::new(config.max_concurrency))
        // …which a request reaches only within its client's rate and number in flight, so that
        // no client can hold the slots others need (with bodies it never finishes, say).
        .layer(middleware::from_fn_with_state(limiter, limits::per_client));
    if !config.allowed_origins.is_empty() {
        let origins = config.allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok());
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    // Only base64 and ASCII punctuation: always a valid header value.
    let policy = HeaderValue::from_str(&content_security_policy())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    router
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, policy))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
}

/// The family-facing routes (`/v1/…`, see [`public`](mod@public)). Reads answer within the
/// timeout; writes take a JSON body and time only its arrival, because a queued write is waited
/// for (see the module's documentation).
fn public(config: &Config) -> Router<AppState> {
    let reads = Router::new()
        .route("/form", get(public::form))
        .route("/challenge", get(public::challenge))
        .route("/history", get(public::history))
        .route("/checkpoint", get(public::checkpoint))
        .route("/proof/inclusion", get(public::inclusion))
        .route("/proof/consistency", get(public::consistency));
    let writes = Router::new()
        .route("/enrol", post(public::enrol))
        .route("/invitation", post(public::invitation))
        .route("/receipts", post(public::receipt))
        .route("/requests", post(public::request))
        .route("/restore", post(public::restore));
    within(config.timeout, reads).merge(taking(body::JSON, writes))
}

/// The school's routes (`/v1/admin/…`, see [`admin`](mod@admin)): every one behind the admin
/// token, checked before anything else; reads and writes as on [`public`](fn@public).
fn admin(state: AppState, config: &Config) -> Router<AppState> {
    let reads = Router::new()
        .route("/audit", get(admin::audit))
        .route("/requests", get(admin::requests))
        .route("/export", get(admin::export));
    let decide = Router::new().route("/decide", post(admin::decide));
    let roster = Router::new().route("/roster", post(admin::roster));
    within(config.timeout, reads)
        .merge(taking(body::JSON, decide))
        .merge(taking(body::CSV, roster))
        .route_layer(middleware::from_fn_with_state(state, admin::authorize))
}

/// The staff console's routes (`/v1/console/…`, see [`console`](mod@console)): enrolment open to
/// the holder of a staff invitation, every other route behind a signed staff request, checked
/// before anything else; reads and writes as on [`public`](fn@public).
fn console(state: AppState, config: &Config) -> Router<AppState> {
    let reads = Router::new()
        .route("/me", get(console::me))
        .route("/overview", get(console::overview))
        .route("/not-answered", get(console::not_answered))
        .route("/letters", get(console::letters))
        .route("/photo-check", get(console::photo_check))
        .route("/requests", get(console::requests))
        .route("/students", get(console::students))
        .route("/student", get(console::student))
        .route("/export", get(console::export));
    let writes = Router::new()
        .route("/decide", post(console::decide))
        .route("/paper", post(console::paper))
        .route("/remind", post(console::remind));
    let guarded = within(config.timeout, reads)
        .merge(taking(body::JSON, writes))
        .route_layer(middleware::from_fn_with_state(state, console::authorize));
    guarded.merge(taking(body::JSON, Router::new().route("/enrol", post(console::enrol))))
}

/// `routes`, each answering 408 when it takes longer than `limit`.
fn within(limit: Duration, routes: Router<AppState>) -> Router<AppState> {
    routes.route_layer(ServiceBuilder::new().layer(HandleErrorLayer::new(timed_out)).timeout(limit))
}

/// `routes`, each refusing (415) a body of any media type but `media_type` before reading it.
fn taking(media_type: &'static str, routes: Router<AppState>) -> Router<AppState> {
    routes.route_layer(middleware::from_fn_with_state(media_type, body::require_media_type))
}

/// Serves `app` over HTTP/1 on `listener` until `shutdown` completes, then finishes the requests
/// in flight. A client gets `header_read_timeout` to send a request head; one that trickles bytes
/// to hold a connection (and a file descriptor) open is cut off.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    header_read_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: keep serving the connections we have.
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: axum::http::Request<hyper::body::Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let interrupt = async {
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
        () = interrupt => {},
        () = terminate => {},
    }
}

async fn timed_out(error: BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(StatusCode::REQUEST_TIMEOUT, "timeout", "the request took too long")
    } else {
        ApiError::internal(&error)
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; see openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method")
}

/// The current time, or a 500 if the clock is unusable.
pub(crate) fn now() -> Result<Timestamp, ApiError> {
    crate::clock::now().map_err(|e| ApiError::internal(&e))
}
