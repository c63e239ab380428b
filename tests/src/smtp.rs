//! A real SMTP server for tests, on 127.0.0.1 at a free port: it speaks enough of RFC 5321 —
//! `EHLO`/`HELO`, `MAIL FROM`, `RCPT TO`, `DATA` (with dot-unstuffing, §4.5.2), `RSET`, `NOOP`,
//! `QUIT` — for an SMTP client such as lettre's to deliver to it, and keeps every message it
//! received, envelope and raw bytes, for the test to read. No TLS and no authentication: the
//! verifier allows plain SMTP to loopback only, which is exactly this.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// One message as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub to: Vec<String>,
    /// The message (`DATA`), dot-unstuffed, lines ending in CRLF.
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<Received>>,
    arrived: Condvar,
}

/// The server; it runs until the test process ends.
pub struct SmtpSink {
    address: SocketAddr,
    inbox: Arc<Inbox>,
}

impl SmtpSink {
    /// Binds 127.0.0.1:0 and serves each connection on a thread of its own.
    pub fn start() -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let inbox = Arc::new(Inbox::default());
        let shared = Arc::clone(&inbox);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let inbox = Arc::clone(&shared);
                std::thread::spawn(move || {
                    // A client that hangs up mid-session delivers nothing; that is its business.
                    let _ = session(stream, &inbox);
                });
            }
        });
        Ok(SmtpSink { address, inbox })
    }

    /// The URL `verifier --smtp` takes for this server.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.inbox.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Waits until at least `count` messages arrived, or `timeout` passed; returns them all.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let Ok(mut messages) = self.inbox.messages.lock() else { return Vec::new() };
        while messages.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            messages = match self.inbox.arrived.wait_timeout(messages, left) {
                Ok((messages, _)) => messages,
                Err(_) => return Vec::new(),
            };
        }
        messages.clone()
    }
}

/// The address inside `MAIL FROM:<…>` or `RCPT TO:<…>` (parameters after it ignored).
fn path(argument: &str) -> Option<String> {
    let start = argument.find('<')?;
    let end = argument[start..].find('>')? + start;
    Some(argument[start + 1..end].to_owned())
}

fn session(stream: TcpStream, inbox: &Inbox) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let mut reply = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    reply("220 sink.test ESMTP test sink")?;
    let (mut from, mut to): (Option<String>, Vec<String>) = (None, Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
        let argument = command.get(verb.len()..).unwrap_or_default().trim();
        match verb.as_str() {
            "EHLO" => reply("250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8")?,
            "HELO" => reply("250 sink.test")?,
            "MAIL" => match path(argument) {
                Some(sender) => {
                    (from, to) = (Some(sender), Vec::new());
                    reply("250 OK")?;
                }
                None => reply("501 MAIL FROM:<address>")?,
            },
            "RCPT" => match (path(argument), &from) {
                (Some(recipient), Some(_)) => {
                    to.push(recipient);
                    reply("250 OK")?;
                }
                (None, _) => reply("501 RCPT TO:<address>")?,
                (_, None) => reply("503 MAIL first")?,
            },
            "DATA" if from.is_none() || to.is_empty() => reply("503 MAIL and RCPT first")?,
            "DATA" => {
                reply("354 end with <CRLF>.<CRLF>")?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if reader.read_until(b'\n', &mut raw)? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    // RFC 5321 §4.5.2: a leading dot was doubled by the client.
                    let unstuffed = raw.strip_prefix(b".").unwrap_or(&raw);
                    data.extend_from_slice(unstuffed);
                }
                let received = Received { from: from.take().unwrap_or_default(), to: std::mem::take(&mut to), data };
                if let Ok(mut messages) = inbox.messages.lock() {
                    messages.push(received);
                }
                inbox.arrived.notify_all();
                reply("250 OK: queued")?;
            }
            "RSET" => {
                (from, to) = (None, Vec::new());
                reply("250 OK")?;
            }
            "NOOP" => reply("250 OK")?,
            "QUIT" => {
                reply("221 bye")?;
                return Ok(());
            }
            _ => reply("502 command not implemented")?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(stream: &mut TcpStream, reader: &mut BufReader<TcpStream>, text: &str) -> String {
        stream.write_all(text.as_bytes()).expect("write");
        let mut answer = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read");
            answer += &line;
            if line.as_bytes().get(3) != Some(&b'-') {
                return answer;
            }
        }
    }

    #[test]
    fn a_session_delivers_one_message_dot_unstuffed_and_rset_forgets_the_envelope() {
        let sink = SmtpSink::start().expect("sink");
        let mut stream = TcpStream::connect(sink.address).expect("connect");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut greeting = String::new();
        reader.read_line(&mut greeting).expect("greeting");
        assert!(greeting.starts_with("220"));
        assert!(say(&mut stream, &mut reader, "EHLO client\r\n").ends_with("250 SMTPUTF8\r\n"));
        assert!(say(&mut stream, &mut reader, "DATA\r\n").starts_with("503"));
        say(&mut stream, &mut reader, "MAIL FROM:<old@example.org>\r\n");
        say(&mut stream, &mut reader, "RSET\r\n");
        assert!(say(&mut stream, &mut reader, "RCPT TO:<a@example.org>\r\n").starts_with("503"));
        say(&mut stream, &mut reader, "MAIL FROM:<office@school.example> BODY=8BITMIME\r\n");
        say(&mut stream, &mut reader, "RCPT TO:<a@example.org>\r\n");
        assert!(say(&mut stream, &mut reader, "NOOP\r\n").starts_with("250"));
        assert!(say(&mut stream, &mut reader, "DATA\r\n").starts_with("354"));
        assert!(say(&mut stream, &mut reader, "Subject: x\r\n\r\n..leading dot\r\nlast\r\n.\r\n").starts_with("250"));
        assert!(say(&mut stream, &mut reader, "QUIT\r\n").starts_with("221"));
        let messages = sink.wait_for(1, Duration::from_secs(5));
        assert_eq!(
            messages,
            vec![Received {
                from: "office@school.example".into(),
                to: vec!["a@example.org".into()],
                data: b"Subject: x\r\n\r\n.leading dot\r\nlast\r\n".to_vec(),
            }]
        );
    }
}
