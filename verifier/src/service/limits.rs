//! Per-client limits: a token bucket (requests per second) and a cap on requests in flight, per
//! client. Both are checked before a request takes one of the service's global concurrency slots
//! (see `super::app`), so that one client can neither queue past its rate for those slots nor hold
//! them with bodies it never finishes: a slow client waits on its own cap, never on others'.
//! Limits on body size and time are in `super::body`; these need the peer address.

use super::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Requests per second a client may sustain, and how many it may make at once after a pause.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Sustained rate.
    pub per_second: f64,
    /// Burst size.
    pub burst: f64,
}

/// Clients remembered before idle ones are forgotten.
const REMEMBERED: usize = 100_000;

/// What the service knows of each client.
#[derive(Clone)]
pub struct Limiter {
    limit: RateLimit,
    max_in_flight: usize,
    clients: Arc<Mutex<HashMap<IpAddr, Client>>>,
}

/// One client's bucket and requests in flight.
struct Client {
    tokens: f64,
    last: Instant,
    in_flight: usize,
}

/// Why a client's request is refused before it is handled.
enum Refusal {
    RateLimited,
    TooManyInFlight,
}

/// A request counted in flight for its client until this is dropped.
struct InFlight {
    limiter: Limiter,
    client: IpAddr,
}

impl Limiter {
    /// A limiter with `limit` and at most `max_in_flight` requests at once per client.
    pub fn new(limit: RateLimit, max_in_flight: usize) -> Limiter {
        Limiter { limit, max_in_flight, clients: Arc::default() }
    }

    /// Counts a request of `client` in flight and, if it is `rated`, takes a token from its
    /// bucket; or says why not.
    fn admit(&self, client: IpAddr, rated: bool) -> Result<InFlight, Refusal> {
        // The state is counters only, consistent after any panic: keep using it.
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if clients.len() > REMEMBERED {
            clients.retain(|_, c| c.in_flight > 0 || now.duration_since(c.last).as_secs() < 60);
        }
        let state = clients.entry(client).or_insert(Client { tokens: self.limit.burst, last: now, in_flight: 0 });
        if state.in_flight >= self.max_in_flight {
            return Err(Refusal::TooManyInFlight);
        }
        if rated {
            state.tokens = (state.tokens + now.duration_since(state.last).as_secs_f64() * self.limit.per_second)
                .min(self.limit.burst);
            state.last = now;
            if state.tokens < 1.0 {
                return Err(Refusal::RateLimited);
            }
            state.tokens -= 1.0;
        }
        state.in_flight += 1;
        Ok(InFlight { limiter: self.clone(), client })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut clients = self.limiter.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = clients.get_mut(&self.client) {
            state.in_flight = state.in_flight.saturating_sub(1);
        }
    }
}

/// The client an address belongs to: an IPv4 address, or an IPv6 /64 (one household or device
/// gets a whole /64, so counting single IPv6 addresses would let it rotate past the limit).
fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        v4 => v4,
    }
}

/// The middleware: 429 with a JSON error when the client is over its rate or has too many
/// requests in flight; otherwise the request counts in flight until its response is produced.
/// The rate applies to the API (`/v1/…`); the site's files only count in flight, because one
/// page load fetches several of them at once.
pub async fn per_client(
    State(limiter): State<Limiter>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let rated = request.uri().path().starts_with("/v1/");
    match limiter.admit(client_of(peer.ip()), rated) {
        Ok(_in_flight) => next.run(request).await,
        Err(Refusal::RateLimited) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; slow down",
        )
        .into_response(),
        Err(Refusal::TooManyInFlight) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_in_flight",
            "too many requests from this address at once; wait for the ones under way",
        )
        .into_response(),
    }
}
