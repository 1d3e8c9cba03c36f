//! The PostgreSQL schema, as versioned migrations. Each runs once, in order,
//! recorded in `schema_migrations`; all pending ones run in one transaction
//! under an advisory lock, so replicas starting together apply them once and
//! a failed migration leaves the schema as it was.

use tokio_postgres::Client;

/// The advisory lock key migrations hold ("presswatch" in ASCII, shortened).
const LOCK_KEY: i64 = 0x7072_6573_7377;

/// One schema change: its version (ascending, never reused), a name for
/// `schema_migrations`, and its SQL.
pub(super) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, oldest first. Append only: a released migration never changes.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "state: schedule, validators, seen items, versions, outbox, digests, snapshots, baselines",
        sql: r#"
CREATE TABLE watch_state (
    watch          TEXT PRIMARY KEY,
    etag           TEXT,
    last_modified  TEXT,
    last_check     BIGINT,
    last_result    TEXT,
    last_error     TEXT,
    last_change    BIGINT,
    next_due       BIGINT,
    failures       BIGINT NOT NULL DEFAULT 0,
    error_alerted  BOOLEAN NOT NULL DEFAULT FALSE,
    gone           BOOLEAN NOT NULL DEFAULT FALSE,
    last_ok        BIGINT
);
CREATE TABLE seen_items (
    watch      TEXT NOT NULL,
    key        TEXT NOT NULL,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (watch, key)
);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    body   TEXT NOT NULL
);
CREATE TABLE versions (
    watch      TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES blobs(sha256),
    fetched_at BIGINT NOT NULL,
    origin     TEXT NOT NULL DEFAULT 'fetched',
    PRIMARY KEY (watch, seq)
);
CREATE INDEX versions_by_blob ON versions(sha256);
CREATE TABLE watch_events (
    id      BIGSERIAL PRIMARY KEY,
    watch   TEXT NOT NULL,
    at      BIGINT NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX watch_events_by_watch ON watch_events(watch, at);
CREATE TABLE alerts (
    seq        BIGSERIAL UNIQUE,
    id         TEXT PRIMARY KEY,
    watch      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    payload    TEXT NOT NULL
);
CREATE INDEX alerts_by_watch ON alerts(watch, seq);
CREATE TABLE outbox (
    alert_id      TEXT NOT NULL REFERENCES alerts(id),
    channel       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_attempt  BIGINT NOT NULL,
    last_error    TEXT,
    sent_at       BIGINT,
    first_failure BIGINT,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE TABLE installation (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    id  TEXT NOT NULL
);
INSERT INTO installation (one, id) VALUES (1, substr(md5(random()::text || clock_timestamp()::text), 1, 16));
CREATE TABLE channel_state (
    channel         TEXT PRIMARY KEY,
    disabled_reason TEXT,
    disabled_for    TEXT,
    last_digest     BIGINT
);
CREATE TABLE raw_bodies (
    sha256 TEXT PRIMARY KEY,
    size   BIGINT NOT NULL,
    stored BIGINT NOT NULL,
    zstd   BYTEA NOT NULL
);
CREATE TABLE raw_snapshots (
    watch         TEXT NOT NULL,
    version       BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    url           TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    status        INTEGER NOT NULL,
    response_head TEXT NOT NULL,
    request_head  TEXT NOT NULL,
    fetched_at_ms BIGINT NOT NULL,
    body_sha256   TEXT NOT NULL REFERENCES raw_bodies(sha256),
    PRIMARY KEY (watch, version, kind)
);
CREATE INDEX raw_snapshots_by_body ON raw_snapshots(body_sha256);
CREATE INDEX raw_snapshots_by_time ON raw_snapshots(fetched_at_ms);
CREATE TABLE raw_usage (
    id    INTEGER PRIMARY KEY CHECK (id = 0),
    bytes BIGINT NOT NULL
);
INSERT INTO raw_usage (id, bytes) VALUES (0, 0);
CREATE FUNCTION raw_usage_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE raw_usage SET bytes = bytes + NEW.stored WHERE id = 0;
    ELSE
        UPDATE raw_usage SET bytes = bytes - OLD.stored WHERE id = 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER raw_bodies_usage AFTER INSERT OR DELETE ON raw_bodies
    FOR EACH ROW EXECUTE FUNCTION raw_usage_track();
CREATE TABLE baselines (
    watch      TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
"#,
    },
    Migration {
        version: 2,
        name: "fleet: watch leases, outbox claims, per-host tokens, leader leases, replicas",
        sql: r#"
ALTER TABLE watch_state ADD COLUMN due_ms BIGINT;
ALTER TABLE watch_state ADD COLUMN lease_owner TEXT;
ALTER TABLE watch_state ADD COLUMN lease_until_ms BIGINT;
CREATE INDEX watch_state_due ON watch_state(due_ms);
CREATE INDEX watch_state_lease_owner ON watch_state(lease_owner) WHERE lease_owner IS NOT NULL;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_until_ms BIGINT;
CREATE INDEX outbox_claimed_by ON outbox(claimed_by) WHERE claimed_by IS NOT NULL;
CREATE TABLE host_clock (
    host          TEXT PRIMARY KEY,
    next_start_ms BIGINT NOT NULL DEFAULT 0,
    blocked_until_ms BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE host_tokens (
    id       BIGSERIAL PRIMARY KEY,
    host     TEXT NOT NULL,
    holder   TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
CREATE INDEX host_tokens_by_host ON host_tokens(host, until_ms);
CREATE TABLE leader_leases (
    job      TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
CREATE TABLE replicas (
    id          TEXT PRIMARY KEY,
    hostname    TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    config_hash TEXT NOT NULL,
    started_ms  BIGINT NOT NULL,
    seen_ms     BIGINT NOT NULL
);
-- One round trip per fetch: takes a token for `host` when fewer than `lim`
-- are held (expired ones do not count) and the delay since the previous
-- start has passed; else returns how long to wait (ms).
CREATE FUNCTION host_token_take(h TEXT, who TEXT, now_ms BIGINT, delay_ms BIGINT, lim INTEGER, lease_ms BIGINT,
    OUT token BIGINT, OUT wait_ms BIGINT) LANGUAGE plpgsql AS $$
DECLARE
    clock host_clock%ROWTYPE;
    held INTEGER;
    start_at BIGINT;
BEGIN
    INSERT INTO host_clock (host) VALUES (h) ON CONFLICT (host) DO NOTHING;
    SELECT * INTO clock FROM host_clock WHERE host = h FOR UPDATE;
    start_at := GREATEST(clock.next_start_ms, clock.blocked_until_ms);
    SELECT count(*) INTO held FROM host_tokens WHERE host = h AND until_ms > now_ms;
    IF held >= lim THEN
        token := NULL;
        wait_ms := GREATEST(start_at - now_ms, 20);
    ELSIF start_at > now_ms THEN
        token := NULL;
        wait_ms := start_at - now_ms;
    ELSE
        DELETE FROM host_tokens WHERE host = h AND until_ms <= now_ms;
        INSERT INTO host_tokens (host, holder, until_ms) VALUES (h, who, now_ms + lease_ms) RETURNING id INTO token;
        UPDATE host_clock SET next_start_ms = now_ms + delay_ms WHERE host = h;
        wait_ms := 0;
    END IF;
END $$;
"#,
    },
    Migration {
        version: 3,
        name: "raw_usage in 64 stripes, so that concurrent checks storing bodies do not queue for one row",
        sql: r#"
ALTER TABLE raw_usage DROP CONSTRAINT raw_usage_id_check;
ALTER TABLE raw_usage ADD CONSTRAINT raw_usage_id_check CHECK (id >= 0 AND id < 64);
INSERT INTO raw_usage (id, bytes) SELECT i, 0 FROM generate_series(1, 63) AS i;
CREATE OR REPLACE FUNCTION raw_usage_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE raw_usage SET bytes = bytes + NEW.stored WHERE id = hashtext(NEW.sha256) & 63;
    ELSE
        UPDATE raw_usage SET bytes = bytes - OLD.stored WHERE id = hashtext(OLD.sha256) & 63;
    END IF;
    RETURN NULL;
END $$;
"#,
    },
    Migration {
        version: 4,
        name: "raw bodies kept in the content coding they were served in (codec), or zstd",
        sql: r#"
ALTER TABLE raw_bodies RENAME COLUMN zstd TO packed;
ALTER TABLE raw_bodies ADD COLUMN codec TEXT NOT NULL DEFAULT 'zstd';
"#,
    },
    Migration {
        version: 5,
        name: "seen items found by their link too, so that an item whose feed changed its id is not new",
        sql: r#"
CREATE INDEX seen_items_by_url ON seen_items (watch, url);
"#,
    },
    Migration {
        version: 6,
        name: "every takedown keeps the answer that reported it (raw snapshots keyed by fetch time too)",
        sql: r#"
ALTER TABLE raw_snapshots DROP CONSTRAINT raw_snapshots_pkey;
ALTER TABLE raw_snapshots ADD PRIMARY KEY (watch, version, kind, fetched_at_ms);
"#,
    },
    Migration {
        version: 7,
        name: "new items whose article a follow = true watch could not read, counted until it can or they are alerted unread",
        sql: r#"
CREATE TABLE follow_tries (
    watch    TEXT NOT NULL,
    key      TEXT NOT NULL,
    tries    BIGINT NOT NULL,
    last_try BIGINT NOT NULL,
    PRIMARY KEY (watch, key)
);
"#,
    },
    Migration {
        version: 8,
        name: "the titles each seen item carried, and whether it was retitled to them, so that a retitle is alerted once",
        sql: r#"
CREATE TABLE item_titles (
    watch      TEXT NOT NULL,
    key        TEXT NOT NULL,
    title_key  TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    retitled   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (watch, key, title_key)
);
"#,
    },
    Migration {
        version: 9,
        name: "each raw snapshot record carries a digest of what it asserts (URLs, status, heads, fetch time, body), taken when it is kept",
        sql: r#"
ALTER TABLE raw_snapshots ADD COLUMN record_sha256 TEXT;
ALTER TABLE raw_snapshots ADD COLUMN record_fields TEXT;
"#,
    },
    Migration {
        version: 10,
        name: "a follow = true item whose article could not be read is kept with its count, so that it is tried once more and alerted if it leaves the listing",
        sql: r#"
ALTER TABLE follow_tries ADD COLUMN IF NOT EXISTS item TEXT;
"#,
    },
    Migration {
        version: 11,
        name: "where a watch's URL redirects for good, so that an article's move is alerted once and ops are told to update its url",
        sql: r#"
ALTER TABLE watch_state ADD COLUMN IF NOT EXISTS moved_to TEXT;
"#,
    },
    Migration {
        version: 12,
        name: "each seen item says whether its source gave it its title, so that a story's first headline is not alerted as a retitle",
        sql: r#"
ALTER TABLE seen_items ADD COLUMN IF NOT EXISTS titled BOOLEAN NOT NULL DEFAULT TRUE;
"#,
    },
    Migration {
        version: 13,
        name: "each alerted move of an article (old and new address, when, the version then) in its history, in a table of its own that an older presswatch does not read as a takedown",
        sql: r#"
CREATE TABLE IF NOT EXISTS watch_moves (
    id       BIGSERIAL PRIMARY KEY,
    watch    TEXT NOT NULL,
    at       BIGINT NOT NULL,
    from_url TEXT NOT NULL,
    to_url   TEXT NOT NULL,
    detail   TEXT NOT NULL,
    version  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS watch_moves_by_watch ON watch_moves(watch, at);
"#,
    },
    Migration {
        version: 14,
        name: "where the URL of each watch checked before moves were known redirected is unknown (moved_to = ''), so that its next check does not alert a redirect that was always there as a move",
        sql: r#"
UPDATE watch_state SET moved_to = '' WHERE moved_to IS NULL;
"#,
    },
    Migration {
        version: 15,
        name: "each version's stored text is keyed by the SHA-256 of its bytes (versions.body_sha256), not by its content hash, which leaves out the URL and fetch time: no watch or version reads another's",
        sql: r#"
DO $$
BEGIN
  -- Once: a database whose schema_migrations was rolled back past 15 has
  -- the new layout already.
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = 'versions'
                   AND column_name = 'body_sha256') THEN
    ALTER TABLE versions DROP CONSTRAINT versions_sha256_fkey;
    ALTER TABLE versions ADD COLUMN body_sha256 TEXT;
    CREATE TABLE blobs_by_bytes (
        sha256 TEXT PRIMARY KEY,
        body   TEXT NOT NULL
    );
    INSERT INTO blobs_by_bytes (sha256, body)
        SELECT encode(sha256(convert_to(body, 'UTF8')), 'hex'), body FROM blobs
        ON CONFLICT DO NOTHING;
    UPDATE versions v SET body_sha256 = encode(sha256(convert_to(b.body, 'UTF8')), 'hex')
        FROM blobs b WHERE b.sha256 = v.sha256;
    DROP TABLE blobs;
    ALTER TABLE blobs_by_bytes RENAME TO blobs;
    ALTER INDEX blobs_by_bytes_pkey RENAME TO blobs_pkey;
    ALTER TABLE versions ALTER COLUMN body_sha256 SET NOT NULL;
    ALTER TABLE versions ADD CONSTRAINT versions_body_sha256_fkey FOREIGN KEY (body_sha256) REFERENCES blobs(sha256);
    DROP INDEX versions_by_blob;
    CREATE INDEX versions_by_body ON versions(body_sha256);
  END IF;
END $$;
"#,
    },
    Migration {
        version: 16,
        name: "each version records how presswatch read its page (versions.reading), so that a check re-reads a baseline's kept response only after presswatch or the watch's selector changed",
        sql: "ALTER TABLE versions ADD COLUMN IF NOT EXISTS reading TEXT;",
    },
    Migration {
        version: 17,
        name: "the kind and URL each watch had at its last check that worked (watch_kinds), so that a check under another kind, or of a listing or feed at another page, starts afresh instead of alerting every item",
        sql: r#"
CREATE TABLE IF NOT EXISTS watch_kinds (
    watch TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    url   TEXT NOT NULL
);
"#,
    },
    Migration {
        version: 18,
        name: "when the attempt holding an outbox entry's claim started (outbox.sending_since), so that `outbox list` and `status` show an alert being sent as such until the claim runs out",
        sql: "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS sending_since BIGINT;",
    },
    Migration {
        version: 19,
        name: "what later checks need to know of the page a version was read from, kept when its raw response is not (versions.page_facts), so that with keep_raw = \"off\" a page cut short or behind a paywall is still told",
        sql: "ALTER TABLE versions ADD COLUMN IF NOT EXISTS page_facts TEXT;",
    },
    Migration {
        version: 20,
        name: "the watches of each replica's config (replicas.watches), so that no replica takes a watch off the fleet's schedule while a live replica's config has it, however close together they start",
        sql: "ALTER TABLE replicas ADD COLUMN IF NOT EXISTS watches TEXT[];",
    },
    Migration {
        version: 21,
        name: "the settings of each replica's channels (replicas.channels, a hash each) and when it loaded its config (replicas.config_ms), so that a channel edited and reloaded on one replica is sent to with the new settings, not the old ones another replica still runs",
        sql: r#"
ALTER TABLE replicas ADD COLUMN IF NOT EXISTS channels TEXT[];
ALTER TABLE replicas ADD COLUMN IF NOT EXISTS config_ms BIGINT;
"#,
    },
    Migration {
        version: 22,
        name: "what each replica's channels are set to, without their secrets (replicas.channel_views), so that `presswatch status` shows which replicas hold which settings of a channel they define differently, whose alerts wait until they agree",
        sql: "ALTER TABLE replicas ADD COLUMN IF NOT EXISTS channel_views TEXT[];",
    },
    Migration {
        version: 23,
        name: "each version's link in its watch's hash chain (versions.chain_prev, chain_sha256), taken as it is stored, so that `verify` finds a version altered or deleted against a chain head or an alert's record kept outside the database; the versions kept before are chained now, in order (versions.chained_at)",
        sql: r#"
ALTER TABLE versions ADD COLUMN IF NOT EXISTS chain_prev TEXT;
ALTER TABLE versions ADD COLUMN IF NOT EXISTS chain_sha256 TEXT;
ALTER TABLE versions ADD COLUMN IF NOT EXISTS chained_at BIGINT;
-- As crate::integrity::chain::chain_digest computes it.
DO $$
DECLARE
  v RECORD;
  last_watch TEXT := NULL;
  prev TEXT;
  digest TEXT;
  now_s BIGINT := extract(epoch FROM now())::BIGINT;
BEGIN
  FOR v IN SELECT watch, seq, body_sha256, fetched_at, chain_sha256 FROM versions ORDER BY watch, seq LOOP
    IF last_watch IS DISTINCT FROM v.watch THEN
      prev := repeat('0', 64);
      last_watch := v.watch;
    END IF;
    IF v.chain_sha256 IS NULL THEN
      digest := encode(sha256(convert_to(
          'presswatch-chain/1' || E'\nprev ' || prev
          || E'\nwatch ' || encode(sha256(convert_to(v.watch, 'UTF8')), 'hex')
          || E'\nseq ' || v.seq::TEXT || E'\ntext ' || v.body_sha256
          || E'\nstored ' || v.fetched_at::TEXT || E'\n', 'UTF8')), 'hex');
      UPDATE versions SET chain_prev = prev, chain_sha256 = digest, chained_at = now_s
        WHERE watch = v.watch AND seq = v.seq;
    ELSE
      digest := v.chain_sha256;
    END IF;
    prev := digest;
  END LOOP;
END $$;
"#,
    },
    Migration {
        version: 24,
        name: "which new items of a keyword watch's item list its check alerted (versions.alerted), so that the evidence viewer says what the alert said after the alert itself is pruned",
        sql: "ALTER TABLE versions ADD COLUMN IF NOT EXISTS alerted TEXT;",
    },
];

/// The newest schema version this build knows.
pub(super) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The schema version the database is at (0: no presswatch tables yet),
/// read without changing anything.
pub(super) async fn current(client: &Client) -> Result<i64, String> {
    let err = |e: tokio_postgres::Error| format!("reading the schema version: {e}");
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await
        .map_err(err)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(err)?
        .get(0))
}

/// Refuses a database whose schema (at version `current`) a newer
/// presswatch migrated: this build does not know what those migrations
/// changed, so it neither reads nor writes such a database.
pub(super) fn refuse_newer(current: i64) -> Result<(), String> {
    if current > latest() {
        return Err(format!(
            "the database schema is at version {current}, newer than this presswatch knows ({}): upgrade presswatch on this machine",
            latest()
        ));
    }
    Ok(())
}

/// Applies the pending migrations; returns the versions applied. Fails when
/// the database was migrated by a newer presswatch.
pub(super) async fn apply(client: &mut Client) -> Result<Vec<i64>, String> {
    let err = |e: tokio_postgres::Error| format!("migrating the schema: {e}");
    let tx = client.transaction().await.map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    BIGINT PRIMARY KEY,
            name       TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await
    .map_err(err)?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(err)?
        .get(0);
    refuse_newer(current)?;
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.batch_execute(m.sql)
            .await
            .map_err(|e| format!("migration {} ({}): {e}", m.version, m.name))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .map_err(err)?;
        applied.push(m.version);
    }
    tx.commit().await.map_err(err)?;
    Ok(applied)
}
