import Foundation

/// Moves a district's SpatiaLite store into the pool (`taskmap migrate`): districts, mahalle, parcels,
/// categories, complaints with their history, keys and routes, in ONE transaction of the pool, with new pool ids.
/// Then counts and checksums are compared: what the pool holds for the moved districts, read back, against
/// the file. Any difference rolls the whole move back.
public enum PoolMigration {
    public struct Report: Sendable {
        public var districts: [String] = []
        public var mahalle = 0, parcels = 0, categories = 0, newCategories = 0
        public var complaints = 0, history = 0, keys = 0, routes = 0, hooks = 0
        /// Order-independent checksums (FNV-1a 64 of each complaint's canonical text, summed) of the file and of
        /// the pool after the move; equal, or the move was rolled back.
        public var sourceChecksum: UInt64 = 0
        public var poolChecksum: UInt64 = 0
        public var seconds = 0.0
    }

    /// A district already in the pool, a key name in use, or a complaint id (external ref) already present stops
    /// the move before anything is written.
    public static func run(from source: SpatiaLiteStore, to pool: PostGISStore, verify: Bool = true) throws -> Report {
        let t0 = Date()
        var report = Report()
        let districts = try source.districts()
        let mahalle = try source.mahalleList()
        let parcels = try source.parcels()
        let categories = try source.categories()
        let complaints = try source.locked { try source.complaintsLocked(where: "1", []) }
        let history = try historyRows(source)
        let keys = try keyRows(source)
        let routes = try source.routes()
        report.districts = districts.map(\.name)
        try pool.locked {
            defer { pool.resetCaches() }
            try pool.c.transaction {
                let c = pool.c
                // Refuse districts already in the pool: a district moves in once.
                let present = try c.exec("SELECT d.name FROM districts d WHERE d.name = ANY($1::text[]) AND EXISTS (SELECT 1 FROM mahalle m WHERE m.district_id = d.id)",
                                         [PostGISStore.textArray(districts.map(\.name))])
                if present.rows > 0 {
                    throw StoreError.invalid("district \(present.text(0, 0) ?? "?") is already in the pool (nothing was copied)")
                }
                var districtID: [Int64: Int64] = [:]
                for d in districts {
                    districtID[d.id] = try c.scalarInt("""
                        INSERT INTO districts(name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id
                        """, [d.name])
                }
                var mahalleID: [Int64: Int64] = [:]
                for m in mahalle {
                    mahalleID[m.id] = try c.scalarInt("""
                        INSERT INTO mahalle(name, code, population, district_id, geom)
                        VALUES ($1, $2, $3, $4, ST_GeomFromWKB(decode($5, 'hex'), 4326)) RETURNING id
                        """, [m.name, m.code, String(m.population), String(districtID[m.districtID]!), WKB.hex(WKB.multiPolygon(m.geometry))])
                }
                report.mahalle = mahalle.count
                // Parcels (a city has hundreds of thousands): binary COPY of WKB into a staging table, one INSERT.
                try c.exec("CREATE TEMP TABLE move_parcels(ada text, parsel text, street text, door text, mahalle_id bigint, wkb bytea) ON COMMIT DROP")
                try c.copyBinary(into: "move_parcels", parcels) { p, out in
                    out.append(0); out.append(6)
                    CopyBinary.text(p.ada, &out)
                    CopyBinary.text(p.parsel, &out)
                    CopyBinary.text(p.street, &out)
                    CopyBinary.text(p.doorNumber, &out)
                    CopyBinary.int64(p.mahalleID.flatMap { mahalleID[$0] }, &out)
                    CopyBinary.bytes(WKB.multiPolygon(p.geometry), &out)
                }
                try c.exec("INSERT INTO parcels(ada, parsel, street, door, mahalle_id, geom) SELECT ada, parsel, street, door, mahalle_id, ST_GeomFromWKB(wkb, 4326) FROM move_parcels")
                report.parcels = parcels.count
                for cat in categories {
                    let r = try c.exec("""
                        INSERT INTO categories(code, name_tr, name_en, department) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING RETURNING code
                        """, [cat.code, cat.nameTR, cat.nameEN, cat.department])
                    report.newCategories += r.rows
                }
                report.categories = categories.count
                // Complaints: staged by binary COPY with their file ids, then inserted with new pool ids.
                try c.exec("SET LOCAL taskmap.bulk = 'on'")
                try c.exec("CREATE TEMP TABLE move_rows(old_id bigint, new_id bigint, department text, team text, \(PostGISStore.copyColumnTypes)) ON COMMIT DROP")
                try c.copyBinary(into: "move_rows", complaints) { row, out in
                    moveRow(row.complaint, team: row.team, mahalle: row.complaint.address.mahalleID.flatMap { mahalleID[$0] },
                            district: row.complaint.address.districtID.flatMap { districtID[$0] }, into: &out)
                }
                let dup = try c.exec("SELECT s.external_ref FROM move_rows s JOIN complaints c ON c.external_ref = s.external_ref LIMIT 5")
                if dup.rows > 0 {
                    throw StoreError.invalid("complaint id '\(dup.text(0, 0) ?? "?")' is already in the pool"
                                             + (dup.rows > 1 ? " (and \(dup.rows - 1) more)" : "") + " (nothing was copied)")
                }
                try c.exec("UPDATE move_rows SET new_id = nextval(pg_get_serial_sequence('complaints', 'id'))")
                try c.exec("""
                    INSERT INTO complaints(id, department, team, \(PostGISStore.copyColumns))
                    SELECT new_id, department, team, \(PostGISStore.copyColumns)
                    FROM move_rows ORDER BY old_id
                    """)
                report.complaints = complaints.count
                // Keys: the hash moves (the keys people hold keep working); a name in use in the pool stops the move.
                var keyID: [Int64: Int64] = [:]
                for k in keys {
                    do {
                        keyID[k.id] = try c.scalarInt("""
                            INSERT INTO api_keys(name, key_hash, created_at, revoked_at, role, departments, districts)
                            VALUES ($1, $2, to_timestamp($3), to_timestamp($4), $5, $6, $7) RETURNING id
                            """, [k.name, k.hash, String(k.created), k.revoked.map(String.init), k.role, k.departments, k.districts])
                    } catch let e as PGError where e.isUniqueViolation {
                        throw StoreError.invalid("an API key named '\(k.name)' (or the same key) is already in the pool: revoke or rename one first (nothing was copied)")
                    }
                }
                report.keys = keys.count
                // History, with complaint and key ids mapped to the pool's.
                try c.exec("CREATE TEMP TABLE move_history(old_id bigint, complaint_id bigint, at bigint, from_status text, to_status text, department text, team text, note text, actor text, api_key_id bigint) ON COMMIT DROP")
                try c.copyBinary(into: "move_history", history) { e, out in
                    out.append(0); out.append(10)
                    CopyBinary.int64(e.id, &out)
                    CopyBinary.int64(e.complaintID, &out)
                    CopyBinary.int64(e.at, &out)
                    CopyBinary.text(e.from, &out)
                    CopyBinary.text(e.to, &out)
                    CopyBinary.text(e.department, &out)
                    CopyBinary.text(e.team, &out)
                    CopyBinary.text(e.note, &out)
                    CopyBinary.text(e.actor, &out)
                    CopyBinary.int64(e.keyID.flatMap { keyID[$0] }, &out)
                }
                try c.exec("""
                    INSERT INTO complaint_history(complaint_id, at, from_status, to_status, department, team, note, actor, api_key_id)
                    SELECT m.new_id, to_timestamp(h.at), h.from_status, h.to_status, h.department, h.team, h.note, h.actor, h.api_key_id
                    FROM move_history h JOIN move_rows m ON m.old_id = h.complaint_id ORDER BY h.old_id
                    """)
                report.history = history.count
                // Idempotency keys (a client retrying after the move must not create a duplicate), the SLA timer's
                // marks, and the hooks with their undelivered events (receivers keep getting what was queued).
                let idem = try idempotencyRows(source)
                try c.exec("CREATE TEMP TABLE move_idem(api_key_id bigint, key text, old_id bigint, at bigint) ON COMMIT DROP")
                try c.copyBinary(into: "move_idem", idem) { r, out in
                    out.append(0); out.append(4)
                    CopyBinary.int64(keyID[r.0], &out)
                    CopyBinary.text(r.1, &out)
                    CopyBinary.int64(r.2, &out)
                    CopyBinary.int64(r.3, &out)
                }
                try c.exec("""
                    INSERT INTO idempotency_keys(api_key_id, key, complaint_id, created_at)
                    SELECT i.api_key_id, i.key, m.new_id, to_timestamp(i.at) FROM move_idem i JOIN move_rows m ON m.old_id = i.old_id
                    WHERE i.api_key_id IS NOT NULL
                    """)
                let overdue = try overdueRows(source)
                try c.exec("CREATE TEMP TABLE move_overdue(old_id bigint, at bigint) ON COMMIT DROP")
                try c.copyBinary(into: "move_overdue", overdue) { r, out in
                    out.append(0); out.append(2)
                    CopyBinary.int64(r.0, &out)
                    CopyBinary.int64(r.1, &out)
                }
                try c.exec("INSERT INTO overdue_sent(complaint_id, at) SELECT m.new_id, to_timestamp(o.at) FROM move_overdue o JOIN move_rows m ON m.old_id = o.old_id")
                for hook in try source.hooks(includeRemoved: false) {
                    let newHook = try c.scalarInt("""
                        INSERT INTO hooks(url, secret, departments, events, created_at) VALUES ($1, $2, $3, $4, to_timestamp($5)) RETURNING id
                        """, [hook.url, hook.secret, hook.departments.map(SpatiaLiteStore.jsonArray),
                              SpatiaLiteStore.jsonArray(hook.events.map(\.rawValue)), String(Int64(hook.createdAt.timeIntervalSince1970))]) ?? 0
                    for d in try pendingDeliveries(source, hook: hook.id) {
                        try c.exec("""
                            INSERT INTO hook_outbox(hook_id, complaint_id, event, body, created_at, attempts, next_attempt_at, last_error)
                            SELECT $1, (SELECT new_id FROM move_rows WHERE old_id = $2), $3, $4, to_timestamp($5), $6, $7, $8
                            """, [String(newHook), d.complaintID.map(String.init), d.event, d.body, String(d.created), String(d.attempts),
                                  "\(d.next)", d.lastError])
                    }
                    report.hooks += 1
                }
                for r in routes {
                    try c.exec("""
                        INSERT INTO routes(category, district, department, team, created_at) VALUES ($1, $2, $3, $4, now())
                        ON CONFLICT (category, COALESCE(district, '')) DO NOTHING
                        """, [r.category, r.district, r.department, r.team])
                }
                report.routes = routes.count
                try c.exec("""
                    WITH g AS (UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation' RETURNING value)
                    INSERT INTO complaint_changes(generation, complaint_id) SELECT value, NULL FROM g
                    """)
                try c.exec("SELECT pg_notify('taskmap_changes', 'reload')")
                if verify {
                    // Counts and checksums of what the pool now holds for these districts, read back in this transaction.
                    report.sourceChecksum = checksum(complaints.map(\.complaint))
                    let moved = try pool.complaintsLocked(where: "c.id IN (SELECT new_id FROM move_rows)", [])
                    report.poolChecksum = checksum(moved.map(\.complaint))
                    let counts = try c.exec("""
                        SELECT (SELECT count(*) FROM mahalle m JOIN districts d ON d.id = m.district_id WHERE d.name = ANY($1::text[])),
                               (SELECT count(*) FROM complaint_history WHERE complaint_id IN (SELECT new_id FROM move_rows))
                        """, [PostGISStore.textArray(districts.map(\.name))])
                    guard moved.count == complaints.count, counts.int(0, 0) == mahalle.count, counts.int(0, 1) == history.count,
                          report.sourceChecksum == report.poolChecksum else {
                        throw StoreError.invalid("""
                            the pool does not hold what the file holds after the copy (complaints \(moved.count)/\(complaints.count), \
                            mahalle \(counts.int(0, 0))/\(mahalle.count), history \(counts.int(0, 1))/\(history.count), checksum \
                            \(String(report.poolChecksum, radix: 16))/\(String(report.sourceChecksum, radix: 16))): rolled back
                            """)
                    }
                }
            }
        }
        report.seconds = Date().timeIntervalSince(t0)
        return report
    }

    /// Order-independent checksum of complaints: their content without store ids (ids change in the move).
    public static func checksum(_ complaints: [Complaint]) -> UInt64 {
        var sum: UInt64 = 0
        for c in complaints {
            let f = c.fields, a = c.address
            let unix = { (d: Date?) in d.map { String(Int64($0.timeIntervalSince1970)) } ?? "-" }
            let parts: [String?] = [
                f.externalRef, f.category, f.channel.rawValue, f.type.rawValue, f.status.rawValue, unix(f.createdAt), unix(f.updatedAt),
                unix(f.resolvedAt), f.satisfaction.map(String.init), f.description, f.mediaURLs.joined(separator: " "), f.contactName,
                f.contactPhone, f.contactEmail, a.mahalleName, a.districtName, a.street, a.doorNumber, c.department,
                String(format: "%.7f,%.7f", f.location.lon, f.location.lat), f.channelText, f.typeText, String(f.dataIssues.rawValue),
            ]
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for p in parts {
                for b in (p ?? "\u{0}").utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
                h = (h ^ 0x1F) &* 0x0000_0100_0000_01B3
            }
            sum &+= h
        }
        return sum
    }

    /// One row of `move_rows`: the file's id, no pool id yet, the department as the district had it (its category's
    /// when none was assigned, kept explicitly) and the team, then the complaint with the pool's mahalle and district.
    static func moveRow(_ row: Complaint, team: String?, mahalle: Int64?, district: Int64?, into out: inout [UInt8]) {
        out.append(0); out.append(26)
        CopyBinary.int64(row.id, &out)
        CopyBinary.int64(nil, &out)
        CopyBinary.text(row.department, &out)
        CopyBinary.text(team, &out)
        var address = row.address
        address.mahalleID = mahalle
        address.districtID = district
        CopyBinary.complaint(row.fields, address, into: &out)
    }

    struct HistoryRow { var id: Int64; var complaintID: Int64; var at: Int64; var from: String?; var to: String; var department: String?
                        var team: String?; var note: String?; var actor: String?; var keyID: Int64? }

    static func historyRows(_ s: SpatiaLiteStore) throws -> [HistoryRow] {
        try s.locked {
            let st = try s.db.prepare("SELECT complaint_id, at, from_status, to_status, department, team, note, actor, api_key_id, id FROM complaint_history ORDER BY id")
            var out: [HistoryRow] = []
            while try st.step() {
                out.append(HistoryRow(id: st.int64(9), complaintID: st.int64(0), at: st.text(1).flatMap(Timestamp.parse) ?? 0, from: st.text(2),
                                      to: st.text(3) ?? "open", department: st.text(4), team: st.text(5), note: st.text(6),
                                      actor: st.text(7), keyID: st.optInt64(8)))
            }
            return out
        }
    }

    struct KeyRow { var id: Int64; var name: String; var hash: String; var created: Int64; var revoked: Int64?
                    var role: String; var departments: String?; var districts: String? }

    static func keyRows(_ s: SpatiaLiteStore) throws -> [KeyRow] {
        try s.locked {
            let st = try s.db.prepare("SELECT id, name, key_hash, created_at, revoked_at, role, departments, districts FROM api_keys ORDER BY id")
            var out: [KeyRow] = []
            while try st.step() {
                out.append(KeyRow(id: st.int64(0), name: st.text(1) ?? "", hash: st.text(2) ?? "",
                                  created: st.text(3).flatMap(Timestamp.parse) ?? 0, revoked: st.text(4).flatMap(Timestamp.parse),
                                  role: st.text(5) ?? "staff", departments: st.text(6), districts: st.text(7)))
            }
            return out
        }
    }

    static func idempotencyRows(_ s: SpatiaLiteStore) throws -> [(Int64, String, Int64, Int64)] {
        try s.locked {
            let st = try s.db.prepare("SELECT api_key_id, key, complaint_id, created_at FROM idempotency_keys")
            var out: [(Int64, String, Int64, Int64)] = []
            while try st.step() { out.append((st.int64(0), st.text(1) ?? "", st.int64(2), st.text(3).flatMap(Timestamp.parse) ?? 0)) }
            return out
        }
    }

    static func overdueRows(_ s: SpatiaLiteStore) throws -> [(Int64, Int64)] {
        try s.locked {
            let st = try s.db.prepare("SELECT complaint_id, at FROM overdue_sent")
            var out: [(Int64, Int64)] = []
            while try st.step() { out.append((st.int64(0), st.text(1).flatMap(Timestamp.parse) ?? 0)) }
            return out
        }
    }

    struct PendingRow { var complaintID: Int64?; var event: String; var body: String; var created: Int64; var attempts: Int
                        var next: Double; var lastError: String? }

    static func pendingDeliveries(_ s: SpatiaLiteStore, hook: Int64) throws -> [PendingRow] {
        try s.locked {
            let st = try s.db.prepare("""
                SELECT complaint_id, event, body, created_at, attempts, next_attempt_at, last_error FROM hook_outbox
                WHERE hook_id = ? AND delivered_at IS NULL AND expired_at IS NULL ORDER BY id
                """)
            try st.bind([.int(hook)])
            var out: [PendingRow] = []
            while try st.step() {
                out.append(PendingRow(complaintID: st.optInt64(0), event: st.text(1) ?? "", body: st.text(2) ?? "",
                                      created: st.text(3).flatMap(Timestamp.parse) ?? 0, attempts: st.int(4), next: st.double(5),
                                      lastError: st.text(6)))
            }
            return out
        }
    }
}
