//! The archive's SQLite schema and connection settings.
//!
//! Two groups of tables, kept apart on purpose (PRODUCT.md rule 8):
//! - the **proof log** — `log`, `tree_nodes`, `checkpoints`, `acknowledgements` — holds only
//!   pseudonymous ids, hashes and signed bytes, and is append-only;
//! - **personal data** — `students`, `people`, `invitations`, `invitation_codes`,
//!   `staff_invitations`, `roster_changes`, `reminders` — names, classes, contacts, corrections
//!   to them and when the school wrote to whom, which can be erased
//!   without touching a byte of the log.

use rusqlite::Connection;

/// Durability first: WAL, and `synchronous=FULL` so that a commit is on disk before the archive
/// acknowledges anything; foreign keys on. The query planner's stability guarantee keeps each
/// cached statement's plan: without it, SQLite (built with `STAT4`) prepares a statement
/// again whenever a new value is bound to a parameter an index compares, which is every
/// receipt's chain-head lookup.
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

/// Creates the tables if they do not exist, and brings tables of an older archive up to date.
pub(crate) fn create(conn: &Connection) -> rusqlite::Result<()> {
    create_tables(conn)?;
    upgrade(conn)
}

/// Columns added since the first release, each added to an archive that lacks it (with its
/// default), so that a school's existing file opens as it is; and indexes since replaced.
fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    // Replaced by `log_by_signer`, which serves the same reads.
    conn.execute_batch("DROP INDEX IF EXISTS log_by_student")?;
    const ADDED: [(&str, &str, &str); 1] = [("people", "language", "TEXT NOT NULL DEFAULT 'en'")];
    for (table, column, definition) in ADDED {
        let present: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            (table, column),
            |row| row.get(0),
        )?;
        if !present {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {definition}"))?;
        }
    }
    Ok(())
}

fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "
        -- Every signed object the archive accepted, in log order. `bytes` is NULL once purged;
        -- the leaf hash stays in tree_nodes, so the tree and its proofs stay verifiable.
        CREATE TABLE IF NOT EXISTS log (
            idx        INTEGER PRIMARY KEY,
            hash       BLOB NOT NULL UNIQUE,
            kind       TEXT NOT NULL,
            student    TEXT,
            person     TEXT,
            refers_to  BLOB,
            logged_at  INTEGER NOT NULL,
            bytes      BLOB
        );
        -- A student's entries, and a signer's chain head, read for every receipt. By signer, not
        -- by student alone: with only (student, idx) beside (kind, idx), SQLite finds the newest
        -- receipt of a person by walking back through every receipt logged since.
        CREATE INDEX IF NOT EXISTS log_by_signer ON log (student, person, idx);
        CREATE INDEX IF NOT EXISTS log_by_kind ON log (kind, idx);
        -- `refers_to` links an entry to the one it answers: a certificate to its invitation, a
        -- decision to its request, a form version to the version it supersedes. Unique, so an
        -- invitation enrols once, a request is decided once, and a version is superseded once,
        -- whatever the code above does.
        CREATE UNIQUE INDEX IF NOT EXISTS log_by_reference ON log (refers_to) WHERE refers_to IS NOT NULL;

        -- Entries rebuilt from the log ledger after the database was restored from an older copy
        -- (`verifier recover`): their hash, leaf and columns are known, their signed bytes are
        -- not (yet). Unlike a purge, this is a loss: audits and exports of their student refuse
        -- until the families' own copies give the bytes back.
        CREATE TABLE IF NOT EXISTS lost (
            idx  INTEGER PRIMARY KEY
        );

        -- Facts about the archive itself: `ledger` once it keeps a log ledger (so that a ledger
        -- removed beside a database is noticed, not silently started again).
        CREATE TABLE IF NOT EXISTS meta (
            key    TEXT PRIMARY KEY,
            value  TEXT NOT NULL
        );

        -- Hashes of complete (perfect) subtrees, RFC 9162: level 0 holds the leaf hashes.
        CREATE TABLE IF NOT EXISTS tree_nodes (
            level  INTEGER NOT NULL,
            idx    INTEGER NOT NULL,
            hash   BLOB NOT NULL,
            PRIMARY KEY (level, idx)
        ) WITHOUT ROWID;

        -- Signed checkpoints, one per tree size the archive has acknowledged.
        CREATE TABLE IF NOT EXISTS checkpoints (
            tree_size  INTEGER PRIMARY KEY,
            bytes      BLOB NOT NULL
        );

        -- The acknowledgement returned for each object, returned again for a resubmission.
        CREATE TABLE IF NOT EXISTS acknowledgements (
            hash   BLOB PRIMARY KEY,
            bytes  BLOB NOT NULL
        ) WITHOUT ROWID;

        -- Personal data: erasable, never referenced by the log.
        CREATE TABLE IF NOT EXISTS students (
            student     TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            class       TEXT NOT NULL,
            birth_date  TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS people (
            person   TEXT PRIMARY KEY,
            student  TEXT NOT NULL,
            role     TEXT NOT NULL,
            name     TEXT NOT NULL,
            email    TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'en'
        );
        -- Invitations carry names and classes, so they live here; `used_by` makes them single-use.
        -- `revoked` is set when a newer invitation replaces an unused one.
        CREATE TABLE IF NOT EXISTS invitations (
            hash     BLOB PRIMARY KEY,
            person   TEXT NOT NULL,
            bytes    BLOB NOT NULL,
            used_by  BLOB,
            revoked  INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        -- A printed letter's short code for each invitation (`archive::codes`): the code itself,
        -- since the console prints letters again and the invitation beside it is as secret.
        CREATE TABLE IF NOT EXISTS invitation_codes (
            code        TEXT PRIMARY KEY,
            invitation  BLOB NOT NULL UNIQUE
        ) WITHOUT ROWID;
        -- Staff invitations carry the staff member's name, so they live here too; the certificate
        -- issued for one refers to it in the log. `revoked` is set when `verifier staff revoke`
        -- ends an invitation before it was used.
        CREATE TABLE IF NOT EXISTS staff_invitations (
            hash     BLOB PRIMARY KEY,
            person   TEXT NOT NULL,
            bytes    BLOB NOT NULL,
            invited  INTEGER NOT NULL,
            revoked  INTEGER NOT NULL DEFAULT 0
        );
        -- Confirmed roster corrections that change who must sign (a birth date), with the values
        -- before and after and when (Unix seconds): the school can show why the rules changed.
        CREATE TABLE IF NOT EXISTS roster_changes (
            student  TEXT NOT NULL,
            field    TEXT NOT NULL,
            old      TEXT NOT NULL,
            new      TEXT NOT NULL,
            at       INTEGER NOT NULL
        );
        -- Each message the school sent a family member (an invitation e-mailed, a reminder e-mailed
        -- or put on the office's list): whom, when (Unix seconds), why (`invitation`,
        -- `not-answered`, `new-form-version`, `age-threshold`) and how (`email`, `list`). Contact
        -- history is personal data, so it lives here and never in the log.
        CREATE TABLE IF NOT EXISTS reminders (
            person   TEXT NOT NULL,
            at       INTEGER NOT NULL,
            reason   TEXT NOT NULL,
            channel  TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS reminders_by_person ON reminders (person, at);
        ",
    )
}
