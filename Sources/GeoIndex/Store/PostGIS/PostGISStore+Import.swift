import Foundation

extension PostGISStore: ImportTarget {
    /// Above this many rows (and more than the table holds) the GiST index and the unique index are dropped and
    /// built again after the load, inside the same transaction (a sorted GiST build instead of a million inserts).
    public static let rebuildIndexThreshold = 50_000

    /// Writes all rows in ONE transaction through a binary COPY into a temporary staging table, then one
    /// INSERT … SELECT. A failure (or kill -9) at any point leaves the pool as it was. Servers over the pool are
    /// told once, at commit (one change-feed entry: reload), not per row.
    public func bulkInsert(_ rows: [PreparedComplaint], file: String) throws -> BulkInsertResult {
        try locked {
            var timer = PhaseTimer("pg bulk")
            let known = Set(try categoryMap().keys)
            let newCategories = Set(rows.map(\.fields.category)).subtracting(known).sorted()
            defer { resetCaches() }
            let result: BulkInsertResult = try c.transaction {
                try c.exec("SET LOCAL taskmap.bulk = 'on'")
                try c.exec("SET LOCAL synchronous_commit = on")
                try c.exec("""
                    CREATE TEMP TABLE import_rows(
                        line integer, external_ref text, category text, channel text, type text, status text,
                        created bigint, updated bigint, resolved bigint, satisfaction integer, description text, media_urls text,
                        contact_name text, contact_phone text, contact_email text, mahalle_id bigint, district_id bigint,
                        street text, door text, lon double precision, lat double precision, channel_text text, type_text text,
                        quality integer) ON COMMIT DROP
                    """)
                var next = 0
                try c.copyIn("COPY import_rows FROM STDIN (FORMAT binary)") { out in
                    if next == 0 { CopyBinary.header(&out) }
                    let end = min(rows.count, next + 8_192)
                    for r in rows[next..<end] { CopyBinary.row(r, into: &out) }
                    next = end
                    if next == rows.count { CopyBinary.trailer(&out); return false }
                    return true
                }
                timer.mark("copy")
                for code in newCategories {
                    try c.exec("INSERT INTO categories(code, name_tr, name_en, department) VALUES ($1, $1, $1, 'Belirtilmemiş') ON CONFLICT DO NOTHING", [code])
                }
                // Ids already in the pool: a clear error naming the line, before anything is inserted.
                let dup = try c.exec("""
                    SELECT s.line, s.external_ref FROM import_rows s JOIN complaints c ON c.external_ref = s.external_ref
                    ORDER BY s.line LIMIT 5
                    """)
                if dup.rows > 0 {
                    let refs = (0..<dup.rows).compactMap { dup.text($0, 1) }
                    throw ImportError(file: file, location: "line \(dup.int(0, 0))",
                                      message: "complaint id '\(refs[0])' is already in the store"
                                      + (refs.count > 1 ? " (and others: \(refs.dropFirst().joined(separator: ", ")))" : ""))
                }
                let existing = try c.scalarInt("SELECT count(*) FROM complaints") ?? 0
                let rebuild = rows.count >= Self.rebuildIndexThreshold && rows.count > Int(existing)
                if rebuild {
                    try c.exec("DROP INDEX complaints_geom")
                    try c.exec("DROP INDEX complaints_work")
                }
                let inserted = try c.exec("""
                    WITH ins AS (INSERT INTO complaints(\(Self.insertColumns))
                    SELECT external_ref, category, channel, type, status, to_timestamp(created), to_timestamp(updated),
                           to_timestamp(resolved), satisfaction, description, media_urls, contact_name, contact_phone, contact_email,
                           mahalle_id, district_id, street, door, NULL, NULL, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
                           channel_text, type_text, quality
                    FROM import_rows ORDER BY line
                    RETURNING id) SELECT count(*), coalesce(min(id), 0) FROM ins
                    """)
                timer.mark("insert")
                if rebuild {
                    try c.exec("SET LOCAL maintenance_work_mem = '256MB'")
                    try c.exec("CREATE INDEX complaints_geom ON complaints USING gist (geom)")
                    try c.exec("CREATE INDEX complaints_work ON complaints(status) WHERE status IN ('open', 'assigned', 'in_progress', 'resolved')")
                    timer.mark("indexes")
                }
                // One change-feed entry for the whole load: servers reload their snapshot.
                try c.exec("""
                    WITH g AS (UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation' RETURNING value)
                    INSERT INTO complaint_changes(generation, complaint_id) SELECT value, NULL FROM g
                    """)
                try c.exec("SELECT pg_notify('taskmap_changes', 'reload')")
                return BulkInsertResult(inserted: inserted.int(0, 0), newCategories: newCategories, firstID: inserted.int64(0, 1),
                                        usedPackedRTree: rebuild)
            }
            timer.mark("commit")
            try? c.exec("ANALYZE complaints")
            return result
        }
    }
}

/// PostgreSQL's binary COPY format: a header, per row a field count and (length, bytes) per field (-1: NULL),
/// big-endian numbers, a trailer.
enum CopyBinary {
    static func header(_ out: inout [UInt8]) {
        out.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        be32(0, &out); be32(0, &out)
    }

    static func trailer(_ out: inout [UInt8]) { out.append(0xFF); out.append(0xFF) }

    @inline(__always) static func be32(_ v: Int32, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always) static func int64(_ v: Int64?, _ out: inout [UInt8]) {
        guard let v else { be32(-1, &out); return }
        be32(8, &out)
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always) static func int32(_ v: Int?, _ out: inout [UInt8]) {
        guard let v else { be32(-1, &out); return }
        be32(4, &out)
        be32(Int32(truncatingIfNeeded: v), &out)
    }

    @inline(__always) static func double(_ v: Double, _ out: inout [UInt8]) {
        be32(8, &out)
        withUnsafeBytes(of: v.bitPattern.bigEndian) { out.append(contentsOf: $0) }
    }

    static func bytes(_ b: [UInt8], _ out: inout [UInt8]) {
        be32(Int32(b.count), &out)
        out.append(contentsOf: b)
    }

    /// Text as UTF-8 (NUL bytes, which PostgreSQL text cannot hold, are dropped).
    @inline(__always) static func text(_ s: String?, _ out: inout [UInt8]) {
        guard let s else { be32(-1, &out); return }
        var utf8 = s.utf8
        if utf8.contains(0) { utf8 = s.replacingOccurrences(of: "\u{0}", with: "").utf8 }
        be32(Int32(utf8.count), &out)
        out.append(contentsOf: utf8)
    }

    static func row(_ r: PreparedComplaint, into out: inout [UInt8]) {
        let f = r.fields, a = r.address
        let unix = { (d: Date) in Int64(d.timeIntervalSince1970.rounded(.down)) }
        out.append(0); out.append(24)  // field count (int16)
        int32(r.sourceLine, &out)
        text(f.externalRef, &out)
        text(f.category, &out)
        text(f.channel.rawValue, &out)
        text(f.type.rawValue, &out)
        text(f.status.rawValue, &out)
        int64(unix(f.createdAt), &out)
        int64(f.updatedAt.map(unix), &out)
        int64(f.resolvedAt.map(unix), &out)
        int32(f.satisfaction, &out)
        text(f.description, &out)
        text(f.mediaURLs.isEmpty ? nil : SpatiaLiteStore.jsonArray(f.mediaURLs), &out)
        text(f.contactName, &out)
        text(f.contactPhone, &out)
        text(f.contactEmail, &out)
        int64(a.mahalleID, &out)
        int64(a.districtID, &out)
        text(a.street, &out)
        text(a.doorNumber, &out)
        double(f.location.lon, &out)
        double(f.location.lat, &out)
        text(f.channelText, &out)
        text(f.typeText, &out)
        int32(f.dataIssues.rawValue, &out)
    }
}
