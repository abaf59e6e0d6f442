-- Schema 2: settings every process using the file must share, such as
-- the key that seals list cursors (so a cursor one worker process gave
-- out is read by another, and survives a restart).
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
) WITHOUT ROWID;
