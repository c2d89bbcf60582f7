import Foundation

/// The store's schema, versioned by `PRAGMA user_version`. Each migration runs once, in order, in a transaction.
enum Schema {
    static let migrations: [String] = [
        // 1: the task map's tables, with SpatiaLite metadata and an R-tree on every geometry.
        """
        SELECT InitSpatialMetadata(0, 'WGS84');
        CREATE TABLE districts(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE mahalle(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            code TEXT,
            population INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0),
            district_id INTEGER NOT NULL REFERENCES districts(id),
            UNIQUE (district_id, name)
        );
        SELECT AddGeometryColumn('mahalle', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);
        SELECT CreateSpatialIndex('mahalle', 'geom');
        CREATE TABLE parcels(
            id INTEGER PRIMARY KEY,
            ada TEXT,
            parsel TEXT,
            street TEXT NOT NULL,
            door TEXT NOT NULL,
            mahalle_id INTEGER REFERENCES mahalle(id)
        );
        SELECT AddGeometryColumn('parcels', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);
        SELECT CreateSpatialIndex('parcels', 'geom');
        CREATE TABLE categories(
            code TEXT PRIMARY KEY,
            name_tr TEXT NOT NULL,
            name_en TEXT NOT NULL,
            department TEXT NOT NULL
        );
        CREATE TABLE complaints(
            id INTEGER PRIMARY KEY,
            external_ref TEXT,            -- the source system's id; unique (complaints_ref)
            category TEXT NOT NULL REFERENCES categories(code),
            channel TEXT NOT NULL,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,     -- ISO 8601 UTC, e.g. 2024-03-05T08:15:00Z
            updated_at TEXT,              -- NULL = not changed since created_at
            resolved_at TEXT,
            satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
            description TEXT,             -- personal: never public
            media_urls TEXT,              -- JSON array
            contact_name TEXT,            -- personal
            contact_phone TEXT,           -- personal
            contact_email TEXT,           -- personal
            mahalle_id INTEGER REFERENCES mahalle(id),   -- NULL = unassigned (outside every mahalle)
            district_id INTEGER REFERENCES districts(id),
            street TEXT,
            door TEXT,
            department TEXT,              -- assigned department; NULL = the category's department
            team TEXT
        );
        SELECT AddGeometryColumn('complaints', 'geom', 4326, 'POINT', 'XY', 1);
        SELECT CreateSpatialIndex('complaints', 'geom');
        CREATE UNIQUE INDEX complaints_ref ON complaints(external_ref);
        CREATE VIEW unassigned_complaints AS SELECT * FROM complaints WHERE mahalle_id IS NULL;
        """,
        // 2: the server's work flow: API keys (only their SHA-256), status history, intake idempotency keys.
        """
        CREATE TABLE api_keys(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,  -- lowercase hex SHA-256 of the key; the key itself is never stored
            created_at TEXT NOT NULL,
            revoked_at TEXT                 -- NULL = active
        );
        CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
        CREATE TABLE complaint_history(
            id INTEGER PRIMARY KEY,
            complaint_id INTEGER NOT NULL,
            at TEXT NOT NULL,               -- ISO 8601 UTC
            from_status TEXT,               -- NULL = created
            to_status TEXT NOT NULL,
            department TEXT,                -- department/team after the change
            team TEXT,
            note TEXT,                      -- staff note: never public
            actor TEXT                      -- API key name (or 'cli')
        );
        CREATE INDEX complaint_history_complaint ON complaint_history(complaint_id, id);
        CREATE TABLE idempotency_keys(
            api_key_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            complaint_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (api_key_id, key)
        );
        """,
        // 3: a generation counter of the complaints table, bumped by triggers on every insert, update or delete —
        // by taskmap or by any other tool (QGIS) — so a cached snapshot knows when it is stale.
        """
        CREATE TABLE store_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO store_meta(key, value) VALUES ('complaints_generation', 1);
        CREATE TRIGGER complaints_gen_insert AFTER INSERT ON complaints BEGIN
            UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation'; END;
        CREATE TRIGGER complaints_gen_update AFTER UPDATE ON complaints BEGIN
            UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation'; END;
        CREATE TRIGGER complaints_gen_delete AFTER DELETE ON complaints BEGIN
            UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation'; END;
        """,
        // 4: real exports: the source's own channel/type text where taskmap has no code for it (stored as 'other'),
        // and what an import corrected or flagged in a row (DataIssues bits: 1 resolved_at dropped, 2 updated_at
        // dropped, 4 on a stack kept out of heat maps and hot spots).
        """
        ALTER TABLE complaints ADD COLUMN channel_text TEXT;
        ALTER TABLE complaints ADD COLUMN type_text TEXT;
        ALTER TABLE complaints ADD COLUMN quality INTEGER NOT NULL DEFAULT 0;
        """,
        // 5: keys with a role and a scope (departments and districts as JSON arrays of names; NULL = all). Keys
        // made before keep working as they did: staff (intake and changes) for everything. Every history entry
        // records the key that made it.
        """
        ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'staff'
            CHECK (role IN ('intake', 'staff', 'supervisor', 'admin'));
        ALTER TABLE api_keys ADD COLUMN departments TEXT;
        ALTER TABLE api_keys ADD COLUMN districts TEXT;
        ALTER TABLE complaint_history ADD COLUMN api_key_id INTEGER;
        """,
        // 6: webhooks and their durable outbox (rows written in the transaction of the change they announce).
        """
        CREATE TABLE hooks(
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,           -- signs deliveries (HMAC-SHA-256); shown once when made
            departments TEXT,               -- JSON array of names; NULL = every department
            events TEXT NOT NULL,           -- JSON array of event kinds
            created_at TEXT NOT NULL,
            removed_at TEXT
        );
        CREATE TABLE hook_outbox(
            id INTEGER PRIMARY KEY,         -- the delivery id (X-Taskmap-Delivery), the same on every retry
            hook_id INTEGER NOT NULL REFERENCES hooks(id),
            complaint_id INTEGER,
            event TEXT NOT NULL,
            body TEXT NOT NULL,             -- the JSON posted
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,  -- unix seconds
            last_error TEXT,
            delivered_at TEXT,
            expired_at TEXT
        );
        CREATE INDEX hook_outbox_pending ON hook_outbox(next_attempt_at) WHERE delivered_at IS NULL AND expired_at IS NULL;
        CREATE INDEX hook_outbox_complaint ON hook_outbox(hook_id, complaint_id, id);
        CREATE TABLE overdue_sent(complaint_id INTEGER PRIMARY KEY, at TEXT NOT NULL);
        """,
        // 7: the work screen's list reads work not yet closed through a partial index (the backlog is a small part
        // of a year's complaints).
        """
        CREATE INDEX complaints_work ON complaints(status) WHERE status IN ('open', 'assigned', 'in_progress', 'resolved');
        """,
        // 8: routing rules: a new complaint of a category (in a district, or anywhere) goes to this department and
        // team instead of the category's department.
        """
        CREATE TABLE routes(
            id INTEGER PRIMARY KEY,
            category TEXT NOT NULL,
            district TEXT,                  -- NULL = every district (a district's own rule wins)
            department TEXT NOT NULL,
            team TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX routes_key ON routes(category, COALESCE(district, ''));
        """,
    ]

    /// Secondary indexes dropped during a bulk import and rebuilt after it (cheaper than row-by-row upkeep).
    /// (Time, mahalle and category queries read the in-memory snapshot, so SQL needs no index for them.)
    static let complaintIndexes = [
        "complaints_ref": "CREATE UNIQUE INDEX complaints_ref ON complaints(external_ref)",
        "complaints_work": "CREATE INDEX complaints_work ON complaints(status) WHERE status IN ('open', 'assigned', 'in_progress', 'resolved')",
    ]

    /// SpatiaLite's SQL functions report failure by returning 0 and printing, not by raising an error, so the
    /// migration checks their effect: every geometry column registered, with its spatial index enabled.
    static func verifySpatialMetadata(_ db: Database) throws {
        let n = try db.scalarInt("""
            SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled = 1
            AND f_table_name IN ('mahalle', 'parcels', 'complaints')
            """) ?? 0
        guard n == 3 else { throw StoreError.invalid("SpatiaLite metadata incomplete: \(n) of 3 geometry columns indexed") }
    }

    static var currentVersion: Int { migrations.count }

    static func migrate(_ db: Database) throws {
        let v = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
        guard v < currentVersion else {
            if v > currentVersion {
                throw StoreError.schemaTooNew(found: v, supported: currentVersion)
            }
            return
        }
        for (i, sql) in migrations.enumerated() where i >= v {
            try db.transaction {
                try db.execute(sql)
                try verifySpatialMetadata(db)
                try db.execute("PRAGMA user_version = \(i + 1)")
            }
        }
    }
}

public enum StoreError: Error, CustomStringConvertible, Sendable {
    case schemaTooNew(found: Int, supported: Int)
    case notATaskmapStore(String)
    case notFound(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .schemaTooNew(let f, let s): return "store schema version \(f) is newer than this taskmap supports (\(s))"
        case .notATaskmapStore(let p): return "\(p) is not a taskmap store (run `taskmap init` first)"
        case .notFound(let w): return "\(w) not found"
        case .invalid(let w): return w
        }
    }
}
