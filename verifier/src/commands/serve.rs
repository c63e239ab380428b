//! `verifier serve`: the HTTP API for the widget, the console and the school's site, until
//! SIGTERM or Ctrl-C.

use super::mail::MailArgs;
use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use verifier::service::{Config, RateLimit};

/// Arguments of `verifier serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Folder of the site to serve at `/` (the demo school site).
    #[arg(long)]
    www: Option<PathBuf>,
    /// A school website allowed to call the API from the browser (CORS); repeatable.
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
    /// Requests per second one client address may sustain.
    #[arg(long, default_value_t = 50.0)]
    rate_limit: f64,
    /// Requests one client address may have under way at once.
    #[arg(long, default_value_t = 16)]
    max_in_flight: usize,
    /// The consent page families' links open, e.g. https://school.example/consent.html: the
    /// console's "Send reminders" needs it.
    #[arg(long)]
    consent_page: Option<String>,
    #[command(flatten)]
    mail: MailArgs,
}

/// Checks the configuration, then serves until stopped.
pub fn serve(data: &Path, args: ServeArgs) -> Result<()> {
    let mut config = Config::new(data.to_path_buf());
    config.consent_page = args.consent_page;
    config.mailer = args.mail.mailer()?;
    config.www = args.www;
    config.allowed_origins = args.allow_origin;
    config.rate_limit = RateLimit { per_second: args.rate_limit, burst: (args.rate_limit * 4.0).max(10.0) };
    config.max_in_flight_per_client = args.max_in_flight;
    config.validate().map_err(anyhow::Error::msg)?;
    run(config, args.listen)
}

/// How long requests in flight may take to finish after SIGTERM.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs the service until SIGTERM or Ctrl-C, then lets requests in flight and the writer finish.
fn run(config: Config, listen: std::net::SocketAddr) -> Result<()> {
    use std::io::Write as _;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (state, writer) = verifier::service::AppState::open(&config)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        println!("Listening on http://{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let app = verifier::service::app(state, &config);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let signal = async move {
            verifier::service::shutdown_signal().await;
            let _ = stop.send(true);
        };
        let server = verifier::service::serve(listener, app, config.header_read_timeout, signal);
        // Requests in flight get a grace period; a client holding a connection open with a
        // half-sent request must not keep the service from stopping.
        let grace = async move {
            let mut stopped = stopped;
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(GRACE).await;
        };
        tokio::select! {
            served = server => served?,
            () = grace => eprintln!("connections still open after {GRACE:?}; stopping anyway"),
        }
        anyhow::Ok(())
    })?;
    // Whatever is still running is dropped with the runtime; the queued writes still finish below.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    // Every handle to the writer is gone with the router: it finishes its queue and stops.
    writer.join().map_err(|_| anyhow::anyhow!("the archive writer stopped abnormally"))?;
    // Whoever started us may have stopped reading our output; that must not turn a clean stop into a crash.
    let _ = writeln!(std::io::stdout(), "Stopped.");
    Ok(())
}
