//! Helpers shared by the archive and command-line tests.

/// Every row of every table, in order: what "the archive is unchanged" means. (Comparing the
/// database file would miss commits, which WAL mode writes to the `-wal` file first.)
pub fn dump(database: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(database).expect("open");
    let mut text = String::new();
    let tables = [
        "log",
        "tree_nodes",
        "checkpoints",
        "acknowledgements",
        "students",
        "people",
        "invitations",
        "invitation_codes",
        "roster_changes",
    ];
    for table in tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).expect("query");
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("rows");
        for row in rows {
            text += &format!("{table}: {}\n", row.expect("row").join(" | "));
        }
    }
    text
}
