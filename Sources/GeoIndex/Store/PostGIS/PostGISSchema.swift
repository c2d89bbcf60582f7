import Foundation

/// The pool's schema in PostgreSQL + PostGIS: the same tables and the same numbered versions as the SpatiaLite
/// file (`Schema`), in PostGIS types (geometry(…, 4326) with GiST indexes, timestamptz), kept in `taskmap_meta`.
/// One pool holds many districts: every id is the pool's own (bigserial).
enum PostGISSchema {
    static let migrations: [String] = [
        // 1: the task map's tables.
        """
        CREATE TABLE taskmap_meta(key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE districts(id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
        CREATE TABLE mahalle(
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            code text,
            population integer NOT NULL DEFAULT 0 CHECK (population >= 0),
            district_id bigint NOT NULL REFERENCES districts(id),
            geom geometry(MultiPolygon, 4326) NOT NULL,
            UNIQUE (district_id, name)
        );
        CREATE INDEX mahalle_geom ON mahalle USING gist (geom);
        CREATE TABLE parcels(
            id bigserial PRIMARY KEY,
            ada text, parsel text,
            street text NOT NULL,
            door text NOT NULL,
            mahalle_id bigint REFERENCES mahalle(id),
            geom geometry(MultiPolygon, 4326) NOT NULL
        );
        CREATE INDEX parcels_geom ON parcels USING gist (geom);
        CREATE TABLE categories(code text PRIMARY KEY, name_tr text NOT NULL, name_en text NOT NULL, department text NOT NULL);
        CREATE TABLE complaints(
            id bigserial PRIMARY KEY,
            external_ref text,
            category text NOT NULL REFERENCES categories(code),
            channel text NOT NULL,
            type text NOT NULL,
            status text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz,
            resolved_at timestamptz,
            satisfaction smallint CHECK (satisfaction BETWEEN 1 AND 5),
            description text,            -- personal: never public
            media_urls text,             -- JSON array
            contact_name text,           -- personal
            contact_phone text,          -- personal
            contact_email text,          -- personal
            mahalle_id bigint REFERENCES mahalle(id),
            district_id bigint REFERENCES districts(id),
            street text,
            door text,
            department text,
            team text,
            geom geometry(Point, 4326) NOT NULL
        );
        CREATE INDEX complaints_geom ON complaints USING gist (geom);
        CREATE UNIQUE INDEX complaints_ref ON complaints(external_ref);
        CREATE VIEW unassigned_complaints AS SELECT * FROM complaints WHERE mahalle_id IS NULL;
        """,
        // 2: keys (hash only), history, idempotency keys.
        """
        CREATE TABLE api_keys(
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            key_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz
        );
        CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
        CREATE TABLE complaint_history(
            id bigserial PRIMARY KEY,
            complaint_id bigint NOT NULL,
            at timestamptz NOT NULL,
            from_status text,
            to_status text NOT NULL,
            department text,
            team text,
            note text,
            actor text
        );
        CREATE INDEX complaint_history_complaint ON complaint_history(complaint_id, id);
        CREATE TABLE idempotency_keys(
            api_key_id bigint NOT NULL,
            key text NOT NULL,
            complaint_id bigint NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (api_key_id, key)
        );
        """,
        // 3: the change feed. Every committed change of a complaint gets the next generation number, in commit
        // order: a deferred trigger takes it from store_meta at commit time (the row lock orders committers), logs
        // (generation, complaint id) in complaint_changes and wakes listeners with NOTIFY taskmap_changes. A server
        // reads the log after its last generation: after a NOTIFY, and after a reconnect (what it missed). A bulk
        // import sets taskmap.bulk and writes one entry with a NULL id (= reload everything).
        """
        CREATE TABLE store_meta(key text PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO store_meta(key, value) VALUES ('complaints_generation', 1);
        CREATE TABLE complaint_changes(generation bigint PRIMARY KEY, complaint_id bigint, at timestamptz NOT NULL DEFAULT now(),
                                       writer text);  -- the writing connection's taskmap.writer (NULL: another tool)
        CREATE FUNCTION taskmap_complaint_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE g bigint;
        BEGIN
            UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation' RETURNING value INTO g;
            INSERT INTO complaint_changes(generation, complaint_id, writer)
                VALUES (g, CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, current_setting('taskmap.writer', true));
            PERFORM pg_notify('taskmap_changes', g::text);
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER complaints_changed AFTER INSERT OR UPDATE OR DELETE ON complaints
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            WHEN (current_setting('taskmap.bulk', true) IS DISTINCT FROM 'on')
            EXECUTE FUNCTION taskmap_complaint_changed();
        """,
        // 4: source texts and import flags.
        """
        ALTER TABLE complaints ADD COLUMN channel_text text;
        ALTER TABLE complaints ADD COLUMN type_text text;
        ALTER TABLE complaints ADD COLUMN quality integer NOT NULL DEFAULT 0;
        """,
        // 5: key roles and scopes.
        """
        ALTER TABLE api_keys ADD COLUMN role text NOT NULL DEFAULT 'staff' CHECK (role IN ('intake', 'staff', 'supervisor', 'admin'));
        ALTER TABLE api_keys ADD COLUMN departments text;
        ALTER TABLE api_keys ADD COLUMN districts text;
        ALTER TABLE complaint_history ADD COLUMN api_key_id bigint;
        """,
        // 6: webhooks and their outbox.
        """
        CREATE TABLE hooks(
            id bigserial PRIMARY KEY,
            url text NOT NULL,
            secret text NOT NULL,
            departments text,
            events text NOT NULL,
            created_at timestamptz NOT NULL,
            removed_at timestamptz
        );
        CREATE TABLE hook_outbox(
            id bigserial PRIMARY KEY,
            hook_id bigint NOT NULL REFERENCES hooks(id),
            complaint_id bigint,
            event text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at double precision NOT NULL,
            last_error text,
            delivered_at timestamptz,
            expired_at timestamptz
        );
        CREATE INDEX hook_outbox_pending ON hook_outbox(next_attempt_at) WHERE delivered_at IS NULL AND expired_at IS NULL;
        CREATE INDEX hook_outbox_complaint ON hook_outbox(hook_id, complaint_id, id);
        CREATE TABLE overdue_sent(complaint_id bigint PRIMARY KEY, at timestamptz NOT NULL);
        """,
        // 7: the work list's partial index.
        """
        CREATE INDEX complaints_work ON complaints(status) WHERE status IN ('open', 'assigned', 'in_progress', 'resolved');
        """,
        // 8: routing rules.
        """
        CREATE TABLE routes(
            id bigserial PRIMARY KEY,
            category text NOT NULL,
            district text,
            department text NOT NULL,
            team text,
            created_at timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX routes_key ON routes(category, COALESCE(district, ''));
        """,
    ]

    static var currentVersion: Int { migrations.count }

    /// The schema version of the pool in the connection's current schema (the first of its search_path; 0: no
    /// taskmap tables there). Several pools can share a database in different schemas.
    static func version(_ c: PGConnection) throws -> Int {
        guard try c.scalar("SELECT to_regclass(quote_ident(current_schema()) || '.taskmap_meta')::text") != nil else {
            if try c.scalar("SELECT to_regclass(quote_ident(current_schema()) || '.complaints')::text") != nil {
                throw StoreError.invalid("the database has a 'complaints' table but no taskmap_meta: not a taskmap pool")
            }
            return 0
        }
        return Int(try c.scalar("SELECT value FROM taskmap_meta WHERE key = 'schema_version'") ?? "0") ?? 0
    }

    /// Brings the schema to the current version, one migration per transaction (serialised across processes
    /// by an advisory lock). A newer schema than this taskmap knows is refused.
    static func migrate(_ c: PGConnection, create: Bool, location: String) throws {
        let v = try version(c)
        if v > currentVersion { throw StoreError.schemaTooNew(found: v, supported: currentVersion) }
        if v == currentVersion { return }
        if v == 0 && !create { throw StoreError.notATaskmapStore(location) }
        try c.transaction {
            try c.exec("SELECT pg_advisory_xact_lock(7315)")  // one migrator at a time
            let now = try version(c)
            for (i, sql) in migrations.enumerated() where i >= now {
                try c.exec(sql)
                try c.exec("""
                    INSERT INTO taskmap_meta(key, value) VALUES ('schema_version', $1)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, [String(i + 1)])
            }
            try c.exec("INSERT INTO taskmap_meta(key, value) VALUES ('pool_id', md5(random()::text || clock_timestamp()::text)) ON CONFLICT DO NOTHING")
        }
    }
}
