//! Per-client rate limiting: a token bucket per client IP address. Limits on body size, time and
//! concurrency are tower layers (see `super::app`); this one needs the peer address.

use super::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Requests per second a client may sustain, and how many it may make at once after a pause.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Sustained rate.
    pub per_second: f64,
    /// Burst size.
    pub burst: f64,
}

/// The buckets.
#[derive(Clone)]
pub struct Limiter {
    limit: RateLimit,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl Limiter {
    /// A limiter with `limit` per client.
    pub fn new(limit: RateLimit) -> Limiter {
        Limiter { limit, buckets: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Takes a token for `client`; false when its bucket is empty.
    fn allow(&self, client: IpAddr) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else { return true };
        let now = Instant::now();
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, last)| now.duration_since(*last).as_secs() < 60);
        }
        let (tokens, last) = buckets.entry(client).or_insert((self.limit.burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.limit.per_second).min(self.limit.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
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

/// The middleware: 429 with a JSON error when the client's bucket is empty.
pub async fn rate_limit(
    State(limiter): State<Limiter>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if limiter.allow(client_of(peer.ip())) {
        next.run(request).await
    } else {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests from this address; slow down")
            .into_response()
    }
}
