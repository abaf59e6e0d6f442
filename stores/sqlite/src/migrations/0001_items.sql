-- Schema 1: every record is one item, addressed like an item of the
-- DynamoDB table (a partition and a sort key), with up to three secondary
-- keys for the lists that read across partitions. The record itself is
-- its JSON (serde), so the schema does not change when a record gains a
-- field. Lists are keyset pages over the primary key or an index.
CREATE TABLE items (
    pk      TEXT NOT NULL,
    sk      TEXT NOT NULL,
    body    TEXT NOT NULL,
    g1pk    TEXT,
    g1sk    TEXT,
    g2pk    TEXT,
    g2sk    TEXT,
    g3pk    TEXT,
    g3sk    TEXT,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;

CREATE INDEX items_g1 ON items (g1pk, g1sk) WHERE g1pk IS NOT NULL;
CREATE INDEX items_g2 ON items (g2pk, g2sk) WHERE g2pk IS NOT NULL;
CREATE INDEX items_g3 ON items (g3pk, g3sk) WHERE g3pk IS NOT NULL;

-- The blob each document version names, so sweeping the blob folder
-- finds bytes no committed record names without reading every item.
CREATE INDEX items_blob ON items (json_extract(body, '$.blob_key'))
    WHERE json_extract(body, '$.blob_key') IS NOT NULL;
