//! One item's savepoint inside a group commit, so that an item failing half-way leaves nothing
//! behind while the group goes on. Its statements are prepared once per connection: a group
//! of 64 opens 64 savepoints, and parsing `SAVEPOINT` and `RELEASE` anew each time (as
//! `rusqlite::Savepoint` does) cost more than the item's own inserts.

use rusqlite::Connection;

/// An open savepoint; rolled back when dropped unless [`Savepoint::commit`]ted.
pub(super) struct Savepoint<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> Savepoint<'c> {
    /// Opens a savepoint in the transaction running on `conn`.
    pub(super) fn new(conn: &'c Connection) -> rusqlite::Result<Savepoint<'c>> {
        run(conn, "SAVEPOINT item")?;
        Ok(Savepoint { conn, open: true })
    }

    /// Keeps what was written since it opened, as part of the enclosing transaction.
    pub(super) fn commit(mut self) -> rusqlite::Result<()> {
        self.open = false;
        run(self.conn, "RELEASE item")
    }

    /// Undoes what was written since it opened; the enclosing transaction goes on.
    pub(super) fn rollback(mut self) -> rusqlite::Result<()> {
        self.open = false;
        run(self.conn, "ROLLBACK TO item")?;
        run(self.conn, "RELEASE item")
    }
}

impl Drop for Savepoint<'_> {
    /// Reached only when the enclosing write gives up, which rolls the whole transaction back:
    /// a failure here changes nothing that is kept.
    fn drop(&mut self) {
        if self.open {
            let _ = run(self.conn, "ROLLBACK TO item").and_then(|()| run(self.conn, "RELEASE item"));
        }
    }
}

fn run(conn: &Connection, statement: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(statement)?.execute([])?;
    Ok(())
}
