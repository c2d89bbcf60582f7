import Foundation

/// What changed in the pool after a generation: complaints to publish (their current state), ids gone, or
/// `reload` (a bulk import or a district moved in: read the whole snapshot again).
public struct PoolChanges: Sendable {
    public var generation: Int64
    public var changed: [Complaint] = []
    /// Of `changed`, the ids only this server's own store changed (published already; applied again silently: the
    /// row read now is the truth, whatever order local and remote publishes happened in).
    public var own: Set<Int64> = []
    public var deleted: [Int64] = []
    public var reload = false
    public var isEmpty: Bool { changed.isEmpty && deleted.isEmpty && !reload }
}

/// A server's view of the pool's change feed, on its own connection: LISTEN taskmap_changes for the wake-up,
/// `complaint_changes` after the last generation seen for the truth. A lost connection is opened again on the
/// next call, and the first read after it returns everything missed meanwhile (the log is commit-ordered).
/// Not thread-safe: one listener thread owns it.
public final class PoolChangeFeed {
    let conninfo: String
    let applicationName: String
    /// Changes made through this store connection are marked `own` (its server published them when it made them).
    let ownWriter: String
    private var conn: PGConnection?
    /// Fetched changes per call at most (the rest come on the next call, without waiting).
    let batchLimit = 5_000
    private var behind = false
    /// The log is read at least this often even without a notification (a safety net; one index lookup).
    let safetyInterval = 10.0
    private var lastRead = Date()

    public init(store: PostGISStore, applicationName: String) {
        conninfo = PostGISStore.conninfo(store.url)
        self.applicationName = applicationName
        ownWriter = store.writerID
    }

    /// Whether the feed's connection is up (for /metrics and health).
    public var isConnected: Bool { conn?.isOK ?? false }

    private func connection() throws -> (PGConnection, fresh: Bool) {
        if let conn, conn.isOK { return (conn, false) }
        conn = nil
        let c = try PGConnection(conninfo, applicationName: applicationName)
        try c.exec("LISTEN taskmap_changes")
        conn = c
        return (c, true)
    }

    /// The pool's generation now (read before loading a snapshot: nothing after it is missed).
    public func generation() throws -> Int64 {
        let (c, _) = try connection()
        return try c.scalarInt("SELECT value FROM store_meta WHERE key = 'complaints_generation'") ?? 0
    }

    /// Waits up to `timeout` seconds for a notification (not at all after a reconnect: catching up comes first),
    /// then returns the changes after `generation`.
    public func next(after generation: Int64, timeout: Double) throws -> PoolChanges {
        do {
            let (c, fresh) = try connection()
            if !fresh && !behind && Date().timeIntervalSince(lastRead) < safetyInterval {
                var woke = !(try c.notifications()).isEmpty
                if !woke && c.waitReadable(seconds: timeout) { woke = !(try c.notifications()).isEmpty }
                if !woke { return PoolChanges(generation: generation) }
            }
            lastRead = Date()
            return try read(c, after: generation)
        } catch let e as PGError {
            if !(conn?.isOK ?? false) { conn = nil }
            throw PGError(sqlState: e.sqlState, message: e.message, connectionLost: e.connectionLost || conn == nil)
        }
    }

    private func read(_ c: PGConnection, after generation: Int64) throws -> PoolChanges {
        // The log is pruned (`pruneChangeLog`): a server further behind than what is kept reloads everything.
        if let oldest = try c.scalarInt("SELECT min(generation) FROM complaint_changes"), oldest > generation + 1 {
            var out = PoolChanges(generation: try c.scalarInt("SELECT max(generation) FROM complaint_changes") ?? generation)
            out.reload = true
            return out
        }
        let log = try c.exec("SELECT generation, complaint_id, writer FROM complaint_changes WHERE generation > $1 ORDER BY generation LIMIT \(batchLimit)",
                             [String(generation)])
        behind = log.rows == batchLimit
        var out = PoolChanges(generation: generation)
        guard log.rows > 0 else { return out }
        out.generation = log.int64(log.rows - 1, 0)
        var ids: [Int64] = []
        var seen = Set<Int64>(), remote = Set<Int64>()
        for i in 0..<log.rows {
            guard let id = log.optInt64(i, 1) else { out.reload = true; continue }
            if log.text(i, 2) != ownWriter { remote.insert(id) }
            if seen.insert(id).inserted { ids.append(id) }
        }
        out.own = seen.subtracting(remote)
        if out.reload || ids.isEmpty { return out }
        let rows = PostGISStore.complaints(try c.exec("SELECT \(PostGISStore.complaintColumns) FROM complaints c WHERE c.id = ANY($1::bigint[])",
                                                      ["{" + ids.map(String.init).joined(separator: ",") + "}"]))
        let byID = Dictionary(rows.map { ($0.complaint.id, $0.complaint) }, uniquingKeysWith: { a, _ in a })
        for id in ids {
            if let c = byID[id] { out.changed.append(c) } else { out.deleted.append(id) }
        }
        return out
    }
}

/// `taskmap pool status`: the pool's districts with their counts, and the taskmap processes connected to it.
public struct PoolStatus: Sendable {
    public struct DistrictRow: Sendable { public var name: String; public var mahalle: Int; public var complaints: Int; public var open: Int }
    public struct Connection: Sendable { public var application: String; public var client: String; public var since: String; public var state: String }
    public var database = ""
    public var postgis = ""
    public var schemaVersion = 0
    public var generation: Int64 = 0
    public var districts: [DistrictRow] = []
    public var unassigned = 0
    public var connections: [Connection] = []
}

extension PostGISStore {
    /// Deletes change-log entries older than `keepDays` (the newest always stays). Servers run it now and then; one
    /// that was away longer than that reloads its snapshot instead of reading the log.
    @discardableResult
    public func pruneChangeLog(keepDays: Int = 7) throws -> Int {
        try locked {
            try c.exec("""
                DELETE FROM complaint_changes WHERE at < now() - make_interval(days => $1)
                  AND generation < (SELECT max(generation) FROM complaint_changes) RETURNING generation
                """, [String(keepDays)]).rows
        }
    }

    public func poolStatus() throws -> PoolStatus {
        try locked {
            var s = PoolStatus()
            let head = try c.exec("""
                SELECT current_database(), postgis_lib_version(), (SELECT value FROM taskmap_meta WHERE key = 'schema_version'),
                       (SELECT value FROM store_meta WHERE key = 'complaints_generation')
                """)
            s.database = head.text(0, 0) ?? ""
            s.postgis = head.text(0, 1) ?? ""
            s.schemaVersion = head.int(0, 2)
            s.generation = head.int64(0, 3)
            let open = ComplaintStatus.allCases.filter(\.isOpen).map(\.rawValue)
            let d = try c.exec("""
                SELECT d.name, (SELECT count(*) FROM mahalle m WHERE m.district_id = d.id),
                       count(c.id), count(c.id) FILTER (WHERE c.status = ANY($1::text[]))
                FROM districts d LEFT JOIN complaints c ON c.district_id = d.id GROUP BY d.id, d.name
                """, [Self.textArray(open)])
            s.districts = (0..<d.rows).map { PoolStatus.DistrictRow(name: d.text($0, 0) ?? "", mahalle: d.int($0, 1), complaints: d.int($0, 2), open: d.int($0, 3)) }
                .sorted { TurkishText.compare($0.name, $1.name) }
            s.unassigned = Int(try c.scalarInt("SELECT count(*) FROM complaints WHERE district_id IS NULL") ?? 0)
            let a = try c.exec("""
                SELECT application_name, coalesce(client_addr::text, 'local socket'), to_char(backend_start, 'YYYY-MM-DD HH24:MI:SS'), state
                FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'taskmap%' AND pid <> pg_backend_pid()
                ORDER BY application_name, backend_start
                """)
            s.connections = (0..<a.rows).map { PoolStatus.Connection(application: a.text($0, 0) ?? "", client: a.text($0, 1) ?? "",
                                                          since: a.text($0, 2) ?? "", state: a.text($0, 3) ?? "") }
            return s
        }
    }
}
