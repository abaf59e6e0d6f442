-- Schema 3: short-lived records kept outside the items table: the answers
-- of writes remembered under their Idempotency-Key, and rate-limit
-- tallies. Each row lapses at expires_ms (milliseconds since the epoch);
-- lapsed rows count as absent and are swept by later writes.
CREATE TABLE remembered (
    key          TEXT PRIMARY KEY,
    fingerprint  TEXT NOT NULL,
    answer       TEXT,
    expires_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX remembered_expiry ON remembered (expires_ms);

CREATE TABLE tallies (
    key          TEXT PRIMARY KEY,
    count        INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tallies_expiry ON tallies (expires_ms);
