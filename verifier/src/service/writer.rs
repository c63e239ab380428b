//! The archive's one writer: a thread that owns the write connection and serves every write in
//! arrival order. Submissions (receipts, requests) arrive already verified by the handlers, on
//! every core and while the writer commits; those that wait in its queue are taken together and
//! appended in one transaction — group commit — so that one disk sync acknowledges many of them,
//! and each caller is answered only after that commit.

use super::error::ApiError;
use crate::archive::{Archive, ArchiveError, Checked};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// The largest group committed at once.
const MAX_GROUP: usize = 256;

/// Writes waiting at most; past it a write is refused at once with 503 instead of queueing
/// without bound (each waiting write holds its body in memory).
const MAX_WAITING: usize = 4096;

type Reply = oneshot::Sender<Result<Vec<u8>, ApiError>>;

/// A write for the writer thread.
enum Job {
    /// A verified receipt or request to log; the reply carries the acknowledgement's bytes.
    Submit(Checked, Reply),
    /// Any other write (enrolment, decision, roster), run alone.
    Run(Box<dyn FnOnce(&mut Archive) + Send>),
}

/// A handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread, which owns `archive` until every handle is dropped, and beside
    /// it a thread that checkpoints the write-ahead log (see [`Archive::checkpoint_apart`]) on
    /// a handle of its own. The writer's thread ends only after that thread's last checkpoint,
    /// so that once the service has stopped the database file alone holds every commit (an
    /// operator may copy it then).
    pub fn spawn(archive: Archive) -> Result<(Writer, std::thread::JoinHandle<()>), ArchiveError> {
        let checkpointer = Archive::open(archive.dir())?;
        archive.checkpoint_apart()?;
        let (running, stopped) = mpsc::channel::<()>();
        let checkpoints = std::thread::Builder::new()
            .name("archive-checkpoints".into())
            .spawn(move || checkpoints(checkpointer, stopped))?;
        let (jobs, queue) = mpsc::sync_channel(MAX_WAITING);
        let thread = std::thread::Builder::new().name("archive-writer".into()).spawn(move || {
            run(archive, queue);
            drop(running);
            if checkpoints.join().is_err() {
                tracing::error!("the checkpoint thread panicked");
            }
        })?;
        Ok((Writer { jobs }, thread))
    }

    /// Logs a verified submission; answers with the acknowledgement's bytes once it is committed.
    ///
    /// Once queued, a write is waited for without a time limit: answering "timeout" for a write
    /// that then commits would tell the family it failed when it did not.
    pub async fn submit(&self, submission: Checked) -> Result<Vec<u8>, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.enqueue(Job::Submit(submission, reply))?;
        answer.await.map_err(|e| ApiError::internal(&e))?
    }

    fn enqueue(&self, job: Job) -> Result<(), ApiError> {
        self.jobs.try_send(job).map_err(|error| match error {
            mpsc::TrySendError::Full(_) => ApiError::unavailable(
                "busy",
                "the service has too many writes waiting; nothing was stored, please retry in a moment",
                &"the write queue is full",
            ),
            mpsc::TrySendError::Disconnected(_) => ApiError::internal(&"the archive writer has stopped"),
        })
    }

    /// Runs `write` on the writer thread and returns its result.
    pub async fn run<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut Archive) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Run(Box::new(move |archive| {
            // A caller that has gone away gets no write it cannot hear about.
            if !reply.is_closed() {
                let _ = reply.send(write(archive));
            }
        }));
        self.enqueue(job)?;
        answer.await.map_err(|e| ApiError::internal(&e))?
    }
}

/// How often the log is checkpointed: often enough to keep it a few megabytes under load.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints every [`CHECKPOINT_EVERY`], and once more when the writer has ended.
fn checkpoints(archive: Archive, stopped: mpsc::Receiver<()>) {
    loop {
        let ended = !matches!(stopped.recv_timeout(CHECKPOINT_EVERY), Err(mpsc::RecvTimeoutError::Timeout));
        if let Err(error) = archive.checkpoint_wal() {
            tracing::warn!("checkpointing the write-ahead log failed: {error}");
        }
        if ended {
            return;
        }
    }
}

fn run(mut archive: Archive, queue: mpsc::Receiver<Job>) {
    let mut waiting: Option<Job> = None;
    while let Some(job) = waiting.take().or_else(|| queue.recv().ok()) {
        // A panic in one job must not take the writer down: its transaction rolls back as it
        // unwinds, its callers see their reply dropped (500), and the next job goes on.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match job {
            Job::Run(write) => {
                write(&mut archive);
                None
            }
            Job::Submit(first, reply) => Some(gather_and_commit(&mut archive, &queue, first, reply)),
        }));
        match outcome {
            Ok(next) => waiting = next.flatten(),
            Err(_) => tracing::error!("a write panicked; its transaction was rolled back"),
        }
    }
}

/// Takes the submissions waiting behind `first` (up to [`MAX_GROUP`]) and commits them together;
/// returns a non-submission job met on the way, to run next.
fn gather_and_commit(archive: &mut Archive, queue: &mpsc::Receiver<Job>, first: Checked, reply: Reply) -> Option<Job> {
    let mut waiting = None;
    let mut group = vec![(first, reply)];
    while group.len() < MAX_GROUP {
        match queue.try_recv() {
            Ok(Job::Submit(submission, reply)) => group.push((submission, reply)),
            Ok(other) => {
                waiting = Some(other);
                break;
            }
            Err(_) => break,
        }
    }
    // A submitter that has gone away is never acknowledged, so its object is not logged.
    group.retain(|(_, reply)| !reply.is_closed());
    commit_group(archive, group);
    waiting
}

fn commit_group(archive: &mut Archive, group: Vec<(Checked, Reply)>) {
    let (submissions, replies): (Vec<Checked>, Vec<Reply>) = group.into_iter().unzip();
    let results = match crate::clock::now() {
        Ok(now) => archive.append_checked(submissions, now),
        Err(error) => {
            submissions.iter().map(|_| Err(crate::archive::ArchiveError::Corrupt(error.to_string()))).collect()
        }
    };
    for (reply, result) in replies.into_iter().zip(results) {
        let _ = reply.send(result.map(|ack| ack.bytes().to_vec()).map_err(ApiError::from));
    }
}
