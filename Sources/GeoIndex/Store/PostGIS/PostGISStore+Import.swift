import Foundation

extension PostGISStore: ImportTarget {
    /// From this many rows — when the load also more than doubles the table (a district's first import) — the
    /// bulk path is taken: see `bulkLoadLocked`.
    public static let rebuildIndexThreshold = 50_000

    /// Writes all rows in ONE transaction, or none: a failure (or kill -9) at any point leaves the pool as it was.
    /// Servers over the pool are told once, at commit (one change-feed entry: reload), not per row.
    public func bulkInsert(_ rows: [PreparedComplaint], file: String) throws -> BulkInsertResult {
        try locked {
            var timer = PhaseTimer("pg bulk")
            let known = Set(try categoryMap().keys)
            let newCategories = Set(rows.map(\.fields.category)).subtracting(known).sorted()
            defer { resetCaches() }
            let result: BulkInsertResult = try c.transaction {
                try c.exec("SET LOCAL taskmap.bulk = 'on'")
                for code in newCategories {
                    try c.exec("INSERT INTO categories(code, name_tr, name_en, department) VALUES ($1, $1, $1, 'Belirtilmemiş') ON CONFLICT DO NOTHING", [code])
                }
                let existing = try c.scalarInt("SELECT count(*) FROM complaints") ?? 0
                let bulk = rows.count >= Self.rebuildIndexThreshold && rows.count > Int(existing)
                let (inserted, firstID) = bulk ? try bulkLoadLocked(rows, file: file, timer: &timer)
                                               : try stagedLoadLocked(rows, file: file, timer: &timer)
                // One change-feed entry for the whole load: servers reload their snapshot.
                try c.exec("""
                    WITH g AS (UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation' RETURNING value)
                    INSERT INTO complaint_changes(generation, complaint_id) SELECT value, NULL FROM g
                    """)
                try c.exec("SELECT pg_notify('taskmap_changes', 'reload')")
                return BulkInsertResult(inserted: inserted, newCategories: newCategories, firstID: firstID, usedPackedRTree: bulk)
            }
            timer.mark("commit")
            try? c.exec("ANALYZE complaints")
            return result
        }
    }

    /// An import into a pool that already holds more: a binary COPY into a staging table, ids already in the pool
    /// named by their line before anything is inserted, then one INSERT … SELECT (constraints and indexes kept).
    private func stagedLoadLocked(_ rows: [PreparedComplaint], file: String, timer: inout PhaseTimer) throws -> (Int, Int64) {
        try c.exec("CREATE TEMP TABLE import_rows(line integer, \(Self.copyColumnTypes)) ON COMMIT DROP")
        try c.copyBinary(into: "import_rows", rows, encode: CopyBinary.stagedRow)
        timer.mark("copy")
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
        let inserted = try c.exec("""
            WITH ins AS (INSERT INTO complaints(\(Self.copyColumns)) SELECT \(Self.copyColumns) FROM import_rows ORDER BY line
            RETURNING id) SELECT count(*), coalesce(min(id), 0) FROM ins
            """)
        timer.mark("insert")
        return (inserted.int(0, 0), inserted.int64(0, 1))
    }

    /// A district's first, large load: the table is locked, its foreign keys and indexes dropped, the rows COPYed
    /// straight into it (geometry as EWKB), then the indexes built in one pass each (GiST sorted build) and the
    /// foreign keys added back (checked in one join each) — all in the same transaction. Checking a million rows
    /// row by row (three foreign-key triggers and four index inserts a row) took 21 s of a 28 s import.
    private func bulkLoadLocked(_ rows: [PreparedComplaint], file: String, timer: inout PhaseTimer) throws -> (Int, Int64) {
        try c.exec("LOCK TABLE complaints IN ACCESS EXCLUSIVE MODE")
        try c.exec("SET LOCAL maintenance_work_mem = '256MB'")
        // Ids already in the pool: checked before the unique index goes (the table is locked: none can arrive). The
        // pool holds fewer rows than the load here, so its ids are read and looked up in memory.
        let present = try c.exec("SELECT external_ref FROM complaints WHERE external_ref IS NOT NULL")
        if present.rows > 0 {
            let inPool = Set((0..<present.rows).compactMap { present.text($0, 0) })
            let clashes = rows.filter { $0.fields.externalRef.map(inPool.contains) ?? false }
            if let first = clashes.first {
                throw ImportError(file: file, location: "line \(first.sourceLine)",
                                  message: "complaint id '\(first.fields.externalRef!)' is already in the store"
                                  + (clashes.count > 1 ? " (and others: \(clashes.dropFirst().prefix(4).compactMap(\.fields.externalRef).joined(separator: ", ")))" : ""))
            }
        }
        try c.exec("""
            ALTER TABLE complaints DROP CONSTRAINT complaints_category_fkey, DROP CONSTRAINT complaints_mahalle_id_fkey,
                DROP CONSTRAINT complaints_district_id_fkey
            """)
        try c.exec("DROP INDEX complaints_geom, complaints_work, complaints_ref")
        timer.mark("drop")
        let before = try c.scalarInt("SELECT coalesce(max(id), 0) FROM complaints") ?? 0
        try c.copyBinary(into: "complaints(\(Self.copyColumns))", rows, encode: CopyBinary.tableRow)
        timer.mark("copy")
        try c.exec("CREATE UNIQUE INDEX complaints_ref ON complaints(external_ref)")
        try c.exec("CREATE INDEX complaints_geom ON complaints USING gist (geom)")
        try c.exec("CREATE INDEX complaints_work ON complaints(status) WHERE status IN ('open', 'assigned', 'in_progress', 'resolved')")
        timer.mark("indexes")
        try c.exec("""
            ALTER TABLE complaints ADD CONSTRAINT complaints_category_fkey FOREIGN KEY (category) REFERENCES categories(code),
                ADD CONSTRAINT complaints_mahalle_id_fkey FOREIGN KEY (mahalle_id) REFERENCES mahalle(id),
                ADD CONSTRAINT complaints_district_id_fkey FOREIGN KEY (district_id) REFERENCES districts(id)
            """)
        timer.mark("foreign keys")
        let r = try c.exec("SELECT count(*), coalesce(min(id), 0) FROM complaints WHERE id > $1", [String(before)])
        return (r.int(0, 0), r.int64(0, 1))
    }

    /// The columns of a complaint a COPY fills (`CopyBinary.complaint`), and the same with their types in
    /// `complaints`, for the staging tables of an import and a migration (which add their own columns first).
    static let copyColumns = """
        external_ref, category, channel, type, status, created_at, updated_at, resolved_at, satisfaction, description,
        media_urls, contact_name, contact_phone, contact_email, mahalle_id, district_id, street, door, geom,
        channel_text, type_text, quality
        """
    static let copyColumnTypes = """
        external_ref text, category text, channel text, type text, status text, created_at timestamptz,
        updated_at timestamptz, resolved_at timestamptz, satisfaction smallint, description text, media_urls text,
        contact_name text, contact_phone text, contact_email text, mahalle_id bigint, district_id bigint, street text,
        door text, geom geometry(Point, 4326), channel_text text, type_text text, quality integer
        """
}

extension PGConnection {
    /// A binary COPY of `rows` into `target` ("table" or "table(columns)"): header, each row through `encode`, trailer,
    /// sent 8,192 rows a message.
    func copyBinary<Rows: Collection>(into target: String, _ rows: Rows, encode: (Rows.Element, inout [UInt8]) -> Void) throws {
        var i = rows.startIndex
        var started = false
        try copyIn("COPY \(target) FROM STDIN (FORMAT binary)") { out in
            if !started { CopyBinary.header(&out); started = true }
            var n = 0
            while i != rows.endIndex && n < 8_192 {
                encode(rows[i], &out)
                rows.formIndex(after: &i)
                n += 1
            }
            if i == rows.endIndex { CopyBinary.trailer(&out); return false }
            return true
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

    /// PostgreSQL's timestamptz in binary: microseconds since 2000-01-01 UTC.
    @inline(__always) static func timestamp(_ unix: Int64?, _ out: inout [UInt8]) {
        int64(unix.map { ($0 - 946_684_800) * 1_000_000 }, &out)
    }

    @inline(__always) static func int16(_ v: Int?, _ out: inout [UInt8]) {
        guard let v else { be32(-1, &out); return }
        be32(2, &out)
        withUnsafeBytes(of: Int16(truncatingIfNeeded: v).bigEndian) { out.append(contentsOf: $0) }
    }

    /// A point as EWKB with SRID 4326 (what PostGIS's binary input of `geometry` reads).
    @inline(__always) static func point4326(_ p: LonLat, _ out: inout [UInt8]) {
        be32(25, &out)
        out.append(1)
        withUnsafeBytes(of: UInt32(0x2000_0001).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(4326).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: p.lon.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: p.lat.bitPattern.littleEndian) { out.append(contentsOf: $0) }
    }

    /// A complaint's `PostGISStore.copyColumns` (the caller writes the field count and any columns before them).
    static func complaint(_ f: NewComplaint, _ a: AddressMatch, into out: inout [UInt8]) {
        let unix = { (d: Date) in Int64(d.timeIntervalSince1970.rounded(.down)) }
        text(f.externalRef, &out)
        text(f.category, &out)
        text(f.channel.rawValue, &out)
        text(f.type.rawValue, &out)
        text(f.status.rawValue, &out)
        timestamp(unix(f.createdAt), &out)
        timestamp(f.updatedAt.map(unix), &out)
        timestamp(f.resolvedAt.map(unix), &out)
        int16(f.satisfaction, &out)
        text(f.description, &out)
        text(f.mediaURLs.isEmpty ? nil : SpatiaLiteStore.jsonArray(f.mediaURLs), &out)
        text(f.contactName, &out)
        text(f.contactPhone, &out)
        text(f.contactEmail, &out)
        int64(a.mahalleID, &out)
        int64(a.districtID, &out)
        text(a.street, &out)
        text(a.doorNumber, &out)
        point4326(f.location, &out)
        text(f.channelText, &out)
        text(f.typeText, &out)
        int32(f.dataIssues.rawValue, &out)
    }

    /// One row of `complaints(PostGISStore.copyColumns)`.
    static func tableRow(_ r: PreparedComplaint, into out: inout [UInt8]) {
        out.append(0); out.append(22)
        complaint(r.fields, r.address, into: &out)
    }

    /// One row of the staging table `import_rows`: the source line, then the complaint.
    static func stagedRow(_ r: PreparedComplaint, into out: inout [UInt8]) {
        out.append(0); out.append(23)
        int32(r.sourceLine, &out)
        complaint(r.fields, r.address, into: &out)
    }
}
