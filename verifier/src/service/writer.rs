//! The archive's one writer: a thread that owns the write connection and serves every write in
//! arrival order. Submissions (receipts, requests) that wait in its queue are taken together and
//! appended in one transaction — group commit — so that one disk sync acknowledges many of them,
//! and each caller is answered only after that commit.

use super::error::ApiError;
use crate::archive::{Archive, Submission};
use shared::Timestamp;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// The largest group committed at once.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<Result<Vec<u8>, ApiError>>;

/// A write for the writer thread.
enum Job {
    /// A receipt or request to log; the reply carries the acknowledgement's bytes.
    Submit(Submission, Reply),
    /// Any other write (enrolment, decision, roster), run alone.
    Run(Box<dyn FnOnce(&mut Archive) + Send>),
}

/// A handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread, which owns `archive` until every handle is dropped.
    pub fn spawn(archive: Archive) -> std::io::Result<(Writer, std::thread::JoinHandle<()>)> {
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new().name("archive-writer".into()).spawn(move || run(archive, queue))?;
        Ok((Writer { jobs }, thread))
    }

    /// Logs a submission; answers with the acknowledgement's bytes once it is committed.
    pub async fn submit(&self, submission: Submission) -> Result<Vec<u8>, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job::Submit(submission, reply)).map_err(|e| ApiError::internal(&e))?;
        answer.await.map_err(|e| ApiError::internal(&e))?
    }

    /// Runs `write` on the writer thread and returns its result.
    pub async fn run<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut Archive) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Run(Box::new(move |archive| {
            // The caller may have gone away (a timeout); the write happened either way.
            let _ = reply.send(write(archive));
        }));
        self.jobs.send(job).map_err(|e| ApiError::internal(&e))?;
        answer.await.map_err(|e| ApiError::internal(&e))?
    }
}

fn run(mut archive: Archive, queue: mpsc::Receiver<Job>) {
    let mut waiting: Option<Job> = None;
    while let Some(job) = waiting.take().or_else(|| queue.recv().ok()) {
        match job {
            Job::Run(write) => write(&mut archive),
            Job::Submit(first, reply) => {
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
                commit_group(&mut archive, group);
            }
        }
    }
}

fn commit_group(archive: &mut Archive, group: Vec<(Submission, Reply)>) {
    let (submissions, replies): (Vec<Submission>, Vec<Reply>) = group.into_iter().unzip();
    let results = match timestamp() {
        Ok(now) => archive.submit_many(&submissions, now),
        Err(error) => submissions.iter().map(|_| Err(crate::archive::ArchiveError::Corrupt(error.clone()))).collect(),
    };
    for (reply, result) in replies.into_iter().zip(results) {
        let _ = reply.send(result.map(|ack| ack.bytes().to_vec()).map_err(ApiError::from));
    }
}

/// The current time as the archive records it.
pub fn timestamp() -> Result<Timestamp, String> {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    i64::try_from(seconds).ok().and_then(Timestamp::from_unix).ok_or_else(|| "the clock is out of range".to_owned())
}
