import Foundation

/// The PostgreSQL + PostGIS implementation of `ComplaintStore`: a metropolitan pool of districts in one database,
/// shared by several taskmap processes. Geometries are PostGIS types with GiST indexes; geocoding, snapshot and
/// analysis run on the same in-memory structures as with SpatiaLite (so both backends give the same answers).
/// One connection guarded by a lock; a lost connection is re-established on the next call (`PGError.connectionLost`
/// until it is).
public final class PostGISStore: ComplaintStore, @unchecked Sendable {
    /// The connection string as given (URL, key=value, or "" for the PG* environment).
    public let url: String
    var c: PGConnection
    let lock = NSRecursiveLock()
    private var cachedGeocoder: ReverseGeocoder?
    private var cachedForward: ForwardGeocoder?
    private var cachedCategories: [String: Category]?

    /// Marks this store's writes in the change log (`taskmap.writer`), so that its own server skips them when they
    /// come back through the change feed (they are published already).
    public let writerID = UUID().uuidString.lowercased()

    /// Whether `--db` names a PostgreSQL database rather than a SpatiaLite file.
    public static func isURL(_ s: String) -> Bool {
        s.hasPrefix("postgresql://") || s.hasPrefix("postgres://") || s == "postgresql:" || s.hasPrefix("pg:")
    }

    /// `pg:` alone (or `pg:key=value …`) means the PG* environment variables (plus the pairs); URLs pass as they are.
    static func conninfo(_ s: String) -> String { s.hasPrefix("pg:") ? String(s.dropFirst(3)) : (s == "postgresql:" ? "" : s) }

    /// Connects, checks PostGIS and the schema version; `create` installs PostGIS (if allowed) and the schema.
    /// `sessionSetup`: statements run on every (re)connection, e.g. a server's statement_timeout.
    public init(url: String, create: Bool = false, applicationName: String = "taskmap", sessionSetup: [String] = []) throws {
        self.url = url
        c = try PGConnection(Self.conninfo(url), applicationName: applicationName,
                             sessionSetup: ["SET taskmap.writer = '\(writerID)'"] + sessionSetup)
        let shown = PGConnection.redacted(url)
        if try c.scalar("SELECT extversion FROM pg_extension WHERE extname = 'postgis'") == nil {
            guard create else {
                throw StoreError.invalid("\(shown) has no PostGIS: run CREATE EXTENSION postgis (as a superuser), or `taskmap init` on it")
            }
            do { try c.exec("CREATE EXTENSION IF NOT EXISTS postgis") } catch let e as PGError {
                throw StoreError.invalid("\(shown): PostGIS cannot be installed (\(e.message)); Debian: apt-get install postgresql-15-postgis-3, "
                                         + "then CREATE EXTENSION postgis as a superuser")
            }
        }
        try PostGISSchema.migrate(c, create: create, location: shown)
    }

    func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if !c.isOK && !c.reset() {
            throw PGError(sqlState: nil, message: "the database \(PGConnection.redacted(url)) is unreachable", connectionLost: true)
        }
        return try body()
    }

    // MARK: - Reference data

    public func districts() throws -> [District] {
        try locked {
            let r = try c.exec("SELECT id, name FROM districts")
            return (0..<r.rows).map { District(id: r.int64($0, 0), name: r.text($0, 1) ?? "") }
                .sorted { TurkishText.compare($0.name, $1.name) }
        }
    }

    public func mahalleList() throws -> [Mahalle] {
        try locked {
            let r = try c.exec("""
                SELECT m.id, m.name, m.code, m.population, m.district_id, d.name, ST_AsBinary(m.geom)
                FROM mahalle m JOIN districts d ON d.id = m.district_id ORDER BY m.id
                """)
            return (0..<r.rows).map { i in
                Mahalle(id: r.int64(i, 0), name: r.text(i, 1) ?? "", code: r.text(i, 2), population: r.int(i, 3),
                        districtID: r.int64(i, 4), districtName: r.text(i, 5) ?? "",
                        geometry: r.bytes(i, 6).flatMap(WKB.readMultiPolygon) ?? MultiPolygon(polygons: []))
            }
        }
    }

    public func parcels() throws -> [Parcel] {
        try locked {
            let r = try c.exec("SELECT id, ada, parsel, street, door, mahalle_id, ST_AsBinary(geom) FROM parcels ORDER BY id")
            return (0..<r.rows).map { i in
                Parcel(id: r.int64(i, 0), ada: r.text(i, 1), parsel: r.text(i, 2), street: r.text(i, 3) ?? "",
                       doorNumber: r.text(i, 4) ?? "", mahalleID: r.optInt64(i, 5),
                       geometry: r.bytes(i, 6).flatMap(WKB.readMultiPolygon) ?? MultiPolygon(polygons: []))
            }
        }
    }

    public func categories() throws -> [Category] {
        try locked { Array(try categoryMap().values).sorted { $0.code < $1.code } }
    }

    func categoryMap() throws -> [String: Category] {
        if let m = cachedCategories { return m }
        let r = try c.exec("SELECT code, name_tr, name_en, department FROM categories")
        var out: [String: Category] = [:]
        for i in 0..<r.rows {
            let cat = Category(code: r.text(i, 0) ?? "", nameTR: r.text(i, 1) ?? "", nameEN: r.text(i, 2) ?? "", department: r.text(i, 3) ?? "")
            out[cat.code] = cat
        }
        cachedCategories = out
        return out
    }

    func resetCaches() { cachedGeocoder = nil; cachedForward = nil; cachedCategories = nil }

    public func complaintCount() throws -> Int {
        try locked { Int(try c.scalarInt("SELECT count(*) FROM complaints") ?? 0) }
    }

    // MARK: - Geocoding (the same in-memory geocoders as SpatiaLite's: same answers on both backends)

    public func geocoder() throws -> ReverseGeocoder {
        try locked {
            if let g = cachedGeocoder { return g }
            let g = ReverseGeocoder(mahalle: try mahalleList(), parcels: try parcels())
            cachedGeocoder = g
            return g
        }
    }

    public func geocode(_ p: LonLat) throws -> AddressMatch { try geocoder().geocode(p) }

    public func forwardGeocoder() throws -> ForwardGeocoder {
        try locked {
            if let g = cachedForward { return g }
            let r = try c.exec("SELECT street, door, mahalle_id, ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM parcels")
            let parcels = (0..<r.rows).map { i in
                ForwardGeocoder.Parcel(street: r.text(i, 0) ?? "", door: r.text(i, 1) ?? "", mahalleID: r.optInt64(i, 2),
                                       centre: LonLat(lon: r.double(i, 3), lat: r.double(i, 4)))
            }
            let m = try c.exec("""
                SELECT m.id, m.name, d.name, ST_X(ST_PointOnSurface(m.geom)), ST_Y(ST_PointOnSurface(m.geom))
                FROM mahalle m JOIN districts d ON d.id = m.district_id
                """)
            let areas = (0..<m.rows).map { i in
                ForwardGeocoder.Area(id: m.int64(i, 0), name: m.text(i, 1) ?? "", district: m.text(i, 2) ?? "",
                                     inside: LonLat(lon: m.double(i, 3), lat: m.double(i, 4)))
            }
            let g = ForwardGeocoder(parcels: parcels, areas: areas)
            cachedForward = g
            return g
        }
    }

    public func geocode(address: String) throws -> [GeocodeCandidate] { try forwardGeocoder().geocode(address) }

    // MARK: - Complaints

    static let complaintColumns = """
        c.external_ref, c.category, c.channel, c.type, c.status, extract(epoch FROM c.created_at)::bigint,
        extract(epoch FROM c.updated_at)::bigint, extract(epoch FROM c.resolved_at)::bigint, c.satisfaction,
        c.description, c.media_urls, c.contact_name, c.contact_phone, c.contact_email, c.mahalle_id, c.district_id,
        c.street, c.door, COALESCE(c.department, (SELECT department FROM categories WHERE code = c.category)),
        ST_X(c.geom), ST_Y(c.geom), (SELECT name FROM mahalle WHERE id = c.mahalle_id),
        (SELECT name FROM districts WHERE id = c.district_id), c.channel_text, c.type_text, c.quality, c.id, c.team
        """

    func complaintsLocked(where condition: String, _ args: [String?]) throws -> [(complaint: Complaint, team: String?)] {
        Self.complaints(try c.exec("SELECT \(Self.complaintColumns) FROM complaints c WHERE \(condition)", args))
    }

    /// Complaints from a result of `complaintColumns`.
    static func complaints(_ r: PGResult) -> [(complaint: Complaint, team: String?)] {
        (0..<r.rows).map { i in
            func date(_ col: Int) -> Date? { r.optInt64(i, col).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
            var fields = NewComplaint(
                externalRef: r.text(i, 0), location: LonLat(lon: r.double(i, 19), lat: r.double(i, 20)), category: r.text(i, 1) ?? "",
                channel: Channel(rawValue: r.text(i, 2) ?? "") ?? .phone, type: ComplaintType(rawValue: r.text(i, 3) ?? "") ?? .sikayet,
                status: ComplaintStatus(rawValue: r.text(i, 4) ?? "") ?? .open, createdAt: date(5) ?? Date(timeIntervalSince1970: 0),
                updatedAt: date(6), resolvedAt: date(7), satisfaction: r.optInt(i, 8), description: r.text(i, 9),
                mediaURLs: SpatiaLiteStore.stringArray(json: r.text(i, 10)) ?? [], contactName: r.text(i, 11),
                contactPhone: r.text(i, 12), contactEmail: r.text(i, 13))
            fields.channelText = r.text(i, 23)
            fields.typeText = r.text(i, 24)
            fields.dataIssues = DataIssues(rawValue: r.int(i, 25))
            let addr = AddressMatch(mahalleID: r.optInt64(i, 14), mahalleName: r.text(i, 21), districtID: r.optInt64(i, 15),
                                    districtName: r.text(i, 22), street: r.text(i, 16), doorNumber: r.text(i, 17))
            return (Complaint(id: r.int64(i, 26), fields: fields, address: addr, department: r.text(i, 18)), r.text(i, 27))
        }
    }

    public func complaint(id: Int64) throws -> Complaint? {
        try locked { try complaintsLocked(where: "c.id = $1", [String(id)]).first?.complaint }
    }

    public func openWork(departments: [String]?) throws -> [(complaint: Complaint, team: String?)] {
        try locked {
            var condition = "c.status IN ('open', 'assigned', 'in_progress', 'resolved')"
            var args: [String?] = []
            if let departments {
                condition += " AND COALESCE(c.department, (SELECT department FROM categories WHERE code = c.category)) = ANY($1::text[])"
                args = [Self.textArray(departments)]
            }
            return try complaintsLocked(where: condition, args)
        }
    }

    /// A PostgreSQL array literal of strings ({"a","b"}), for `= ANY($1::text[])`.
    static func textArray(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    // MARK: - Snapshot

    public func loadSnapshot() throws -> ComplaintSnapshot {
        try locked {
            let cats = try categoryMap().keys.sorted()
            let mahalleIDs = try c.exec("SELECT id FROM mahalle ORDER BY id")
            let districtRows = try districts()
            let tables = ComplaintSnapshot.Tables(categories: cats, mahalle: (0..<mahalleIDs.rows).map { mahalleIDs.int64($0, 0) },
                                                  districts: districtRows.map(\.name))
            var districtIndexByID: [Int64: UInt8] = [:]
            for d in districtRows { districtIndexByID[d.id] = tables.districtIndex[d.name] }
            // Binary COPY: numbers and timestamps as they are stored, codes matched on their bytes (no text parsing,
            // no per-row strings; server-side conversions such as extract(epoch …) cost more than they save).
            let sql = """
                COPY (SELECT id, ST_X(geom), ST_Y(geom), category, status, channel, type, created_at, resolved_at,
                             mahalle_id, district_id, satisfaction, quality FROM complaints) TO STDOUT (FORMAT binary)
                """
            let categoryCodes = BinaryTuple.Codes(tables.categories.enumerated().dropFirst().map { ($1, UInt8(truncatingIfNeeded: $0)) })
            let statusCodes = BinaryTuple.Codes(ComplaintStatus.allCases.map { ($0.rawValue, CompiledFilter.statusCode($0)) })
            let channelCodes = BinaryTuple.Codes(Channel.allCases.map { ($0.rawValue, CompiledFilter.channelCode($0)) })
            let typeCodes = BinaryTuple.Codes(ComplaintType.allCases.map { ($0.rawValue, CompiledFilter.typeCode($0)) })
            var records: [CompactComplaint] = []
            records.reserveCapacity(Int(try c.scalarInt("SELECT reltuples::bigint FROM pg_class WHERE oid = 'complaints'::regclass") ?? 0))
            var header = true
            try c.copyOut(sql) { raw in
                var r = BinaryTuple(raw)
                if header { r.skipHeader(); header = false }
                guard r.fieldCount() == 13 else { return }  // the trailer (-1)
                let id = r.int64() ?? 0
                let lon = r.double() ?? .nan, lat = r.double() ?? .nan
                let category = r.code(categoryCodes), status = r.code(statusCodes)
                let channel = r.code(channelCodes), type = r.code(typeCodes)
                let created = r.timestamp() ?? 0, resolved = r.timestamp()
                let mahalle = r.int64(), district = r.int64()
                let satisfaction = r.int16().map(Int.init)
                let quality = Int(r.int32() ?? 0)
                records.append(SpatiaLiteStore.compact(
                    id: id, location: LonLat(lon: lon, lat: lat), category: category, status: status, channel: channel, type: type,
                    created: created, resolved: resolved, mahalle: mahalle.flatMap { tables.mahalleIndex[$0] } ?? 0,
                    district: district.flatMap { districtIndexByID[$0] } ?? 0, satisfaction: satisfaction,
                    issues: DataIssues(rawValue: quality)))
            }
            return ComplaintSnapshot(tables: tables, records: records)
        }
    }

    /// Identifies the pool state a snapshot reflects (the commit-ordered generation and the tables' shape).
    public func snapshotKey() throws -> String {
        try locked {
            let r = try c.exec("""
                SELECT (SELECT value FROM store_meta WHERE key = 'complaints_generation'),
                       (SELECT count(*) FROM mahalle), (SELECT coalesce(max(id), 0) FROM mahalle),
                       (SELECT count(*) FROM categories), (SELECT count(*) FROM districts),
                       (SELECT value FROM taskmap_meta WHERE key = 'pool_id')
                """)
            return (0..<6).map { r.text(0, $0) ?? "-" }.joined(separator: ":")
        }
    }

    /// Where this machine keeps the pool's snapshot cache: `$TASKMAP_CACHE_DIR`, else `$XDG_CACHE_HOME/taskmap`,
    /// else `~/.cache/taskmap`; one file per pool (its id) and database name.
    func snapshotCachePath() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let dir = env["TASKMAP_CACHE_DIR"] ?? ((env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/taskmap")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let id = try locked { try c.scalar("SELECT (SELECT value FROM taskmap_meta WHERE key = 'pool_id') || '-' || current_database()") } ?? "pool"
        return dir + "/pool-" + id.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } + ".snapshot"
    }

    public func loadSnapshotCached() throws -> ComplaintSnapshot {
        try SnapshotCache.load(key: try snapshotKey(), file: try snapshotCachePath()) { try self.loadSnapshot() }
    }
}

extension PostGISStore {
    /// A URL with its password hidden, for output.
    public static func redacted(_ url: String) -> String { PGConnection.redacted(url) }
}

/// Reads one tuple of PostgreSQL's binary COPY output (big-endian; a field is its length, -1 for NULL, then bytes).
struct BinaryTuple {
    let raw: UnsafeRawBufferPointer
    var at = 0
    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    /// The file header before the first tuple: signature (11), flags (4), extension length (4) and extension.
    mutating func skipHeader() {
        at = 15
        let ext = Int(be32())
        at += ext
    }

    private mutating func be32() -> Int32 {
        guard at + 4 <= raw.count else { return -1 }
        let v = Int32(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self))
        at += 4
        return v
    }

    mutating func fieldCount() -> Int {
        guard at + 2 <= raw.count else { return -1 }
        let v = Int16(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self))
        at += 2
        return Int(v)
    }

    /// The next field's bytes, nil for NULL.
    private mutating func field() -> (offset: Int, length: Int)? {
        let n = Int(be32())
        guard n >= 0 else { return nil }
        defer { at += n }
        return (at, n)
    }

    mutating func int64() -> Int64? {
        guard let f = field(), f.length == 8 else { return nil }
        return Int64(bigEndian: raw.loadUnaligned(fromByteOffset: f.offset, as: Int64.self))
    }

    mutating func int32() -> Int32? {
        guard let f = field(), f.length == 4 else { return nil }
        return Int32(bigEndian: raw.loadUnaligned(fromByteOffset: f.offset, as: Int32.self))
    }

    mutating func int16() -> Int16? {
        guard let f = field(), f.length == 2 else { return nil }
        return Int16(bigEndian: raw.loadUnaligned(fromByteOffset: f.offset, as: Int16.self))
    }

    /// timestamptz: microseconds since 2000-01-01 UTC → unix seconds (rounded down).
    mutating func timestamp() -> Int64? {
        guard let us = int64() else { return nil }
        let seconds = us >= 0 ? us / 1_000_000 : (us - 999_999) / 1_000_000
        return seconds + 946_684_800
    }

    /// A small table of text values → codes, matched on the UTF-8 bytes.
    struct Codes {
        let entries: [(bytes: [UInt8], code: UInt8)]
        init(_ pairs: [(String, UInt8)]) { entries = pairs.map { (Array($0.0.utf8), $0.1) } }
    }

    /// The code of a text field (0: NULL or not in the table).
    mutating func code(_ codes: Codes) -> UInt8 {
        guard let f = field() else { return 0 }
        for e in codes.entries where e.bytes.count == f.length {
            if f.length == 0 { return e.code }
            if e.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress! + f.offset, f.length) }) == 0 { return e.code }
        }
        return 0
    }

    mutating func double() -> Double? {
        guard let f = field(), f.length == 8 else { return nil }
        return Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: f.offset, as: UInt64.self)))
    }
}
