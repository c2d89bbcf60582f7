import CSpatiaLite
import Foundation

/// The SpatiaLite implementation of `ComplaintStore`: one file that QGIS and `ogrinfo` open, WAL mode,
/// R-tree spatial indexes on every geometry. All access goes through one connection guarded by a lock.
public final class SpatiaLiteStore: ComplaintStore, @unchecked Sendable {
    public let path: String
    var db: Database
    let lock = NSRecursiveLock()
    private var cachedGeocoder: ReverseGeocoder?
    private var cachedForward: ForwardGeocoder?
    private var cachedCategories: [String: Category]?
    func cachedCategoriesReset() { cachedCategories = nil }
    private var checkpointer: WALCheckpointer?

    /// Starts background WAL checkpoints (for long-running writers: the server, benchmarks).
    public func startBackgroundCheckpoints() throws {
        try locked { if checkpointer == nil { checkpointer = try WALCheckpointer(path: path) } }
    }

    /// Opens an existing store (`create: false`) or creates/migrates one (`create: true`).
    public init(path: String, create: Bool = false) throws {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError.notATaskmapStore(path)
        }
        db = try Database(path: path, create: create)
        try configure(db)
        if create {
            try Schema.migrate(db)
        } else {
            let hasTable = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='complaints'") ?? 0
            guard hasTable == 1 else { throw StoreError.notATaskmapStore(path) }
            try Schema.migrate(db)
        }
    }

    private func configure(_ db: Database) throws {
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144; PRAGMA threads=2; PRAGMA wal_autocheckpoint=0;")
    }

    /// Reopens the connection (after writing R-tree nodes directly, the old connection's cached depth is stale).
    func reopen() throws {
        db.close()
        db = try Database(path: path)
        try configure(db)
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - Reference data

    public func districts() throws -> [District] {
        try locked {
            let st = try db.prepare("SELECT id, name FROM districts")
            var out: [District] = []
            while try st.step() { out.append(District(id: st.int64(0), name: st.text(1) ?? "")) }
            return out.sorted { TurkishText.compare($0.name, $1.name) }
        }
    }

    public func mahalleList() throws -> [Mahalle] {
        try locked {
            let st = try db.prepare("""
                SELECT m.id, m.name, m.code, m.population, m.district_id, d.name, m.geom
                FROM mahalle m JOIN districts d ON d.id = m.district_id ORDER BY m.id
                """)
            var out: [Mahalle] = []
            while try st.step() {
                let geom = st.withBytes(6) { SpatiaLiteBlob.readMultiPolygon($0) } ?? MultiPolygon(polygons: [])
                out.append(Mahalle(id: st.int64(0), name: st.text(1) ?? "", code: st.text(2), population: st.int(3),
                                   districtID: st.int64(4), districtName: st.text(5) ?? "", geometry: geom))
            }
            return out
        }
    }

    public func parcels() throws -> [Parcel] {
        try locked {
            let st = try db.prepare("SELECT id, ada, parsel, street, door, mahalle_id, geom FROM parcels ORDER BY id")
            var out: [Parcel] = []
            while try st.step() {
                let geom = st.withBytes(6) { SpatiaLiteBlob.readMultiPolygon($0) } ?? MultiPolygon(polygons: [])
                out.append(Parcel(id: st.int64(0), ada: st.text(1), parsel: st.text(2), street: st.text(3) ?? "",
                                  doorNumber: st.text(4) ?? "", mahalleID: st.optInt64(5), geometry: geom))
            }
            return out
        }
    }

    public func categories() throws -> [Category] {
        try locked { Array(try categoryMap().values).sorted { $0.code < $1.code } }
    }

    func categoryMap() throws -> [String: Category] {
        if let c = cachedCategories { return c }
        let st = try db.prepare("SELECT code, name_tr, name_en, department FROM categories")
        var out: [String: Category] = [:]
        while try st.step() {
            let c = Category(code: st.text(0) ?? "", nameTR: st.text(1) ?? "", nameEN: st.text(2) ?? "", department: st.text(3) ?? "")
            out[c.code] = c
        }
        cachedCategories = out
        return out
    }

    public func complaintCount() throws -> Int {
        try locked { Int(try db.scalarInt("SELECT count(*) FROM complaints") ?? 0) }
    }

    /// The reverse geocoder over the stored mahalle and parcels (built once, rebuilt when boundaries change).
    public func geocoder() throws -> ReverseGeocoder {
        try locked {
            if let g = cachedGeocoder { return g }
            let g = ReverseGeocoder(mahalle: try mahalleList(), parcels: try parcels())
            cachedGeocoder = g
            return g
        }
    }

    public func geocode(_ p: LonLat) throws -> AddressMatch { try geocoder().geocode(p) }

    /// The forward geocoder over the stored parcels and mahalle (built once, rebuilt when boundaries change).
    public func forwardGeocoder() throws -> ForwardGeocoder {
        try locked {
            if let g = cachedForward { return g }
            var parcels: [ForwardGeocoder.Parcel] = []
            let st = try db.prepare("SELECT street, door, mahalle_id, X(ST_Centroid(geom)), Y(ST_Centroid(geom)) FROM parcels")
            while try st.step() {
                parcels.append(.init(street: st.text(0) ?? "", door: st.text(1) ?? "", mahalleID: st.optInt64(2),
                                     centre: LonLat(lon: st.double(3), lat: st.double(4))))
            }
            var areas: [ForwardGeocoder.Area] = []
            let ms = try db.prepare("SELECT m.id, m.name, d.name, X(ST_PointOnSurface(m.geom)), Y(ST_PointOnSurface(m.geom)) "
                                    + "FROM mahalle m JOIN districts d ON d.id = m.district_id")
            while try ms.step() {
                areas.append(.init(id: ms.int64(0), name: ms.text(1) ?? "", district: ms.text(2) ?? "",
                                   inside: LonLat(lon: ms.double(3), lat: ms.double(4))))
            }
            let g = ForwardGeocoder(parcels: parcels, areas: areas)
            cachedForward = g
            return g
        }
    }

    /// Address text → candidates (see `ForwardGeocoder`).
    public func geocode(address: String) throws -> [GeocodeCandidate] { try forwardGeocoder().geocode(address) }

    // MARK: - Boundaries

    /// Adds districts, mahalle, parcels and categories in one transaction. Polygons are checked with GEOS
    /// (`ST_IsValid`); an invalid one fails the whole call, naming the feature — unless `makeValid`, which repairs
    /// it (`ST_MakeValid`, polygonal parts kept) and reports the change. Overlaps between mahalle of one district
    /// are reported (the reverse geocoder still puts a point in exactly one).
    public func addBoundaries(_ input: BoundaryInput, makeValid: Bool = false) throws -> BoundaryLoad {
        try locked {
            defer { cachedGeocoder = nil; cachedForward = nil; cachedCategories = nil }
            return try db.transaction {
                var load = BoundaryLoad()
                let valid = try db.prepare("SELECT ST_IsValid(?), ST_IsValidReason(?)")
                let repair = try db.prepare("""
                    SELECT g, ST_Area(?1, 1), ST_Area(g, 1), ST_NumGeometries(g), GeometryType(ST_MakeValid(?1))
                    FROM (SELECT CastToMultiPolygon(CollectionExtract(ST_MakeValid(?1), 3)) AS g)
                    """)
                /// The blob to store: `blob` when valid, its repair under `makeValid`, else an error.
                func checked(_ blob: [UInt8], _ what: String, name: String?) throws -> [UInt8] {
                    try valid.reset()
                    try valid.bind([.blob(blob), .blob(blob)])
                    guard try valid.step() else { return blob }
                    if valid.int(0) == 1 { return blob }
                    let reason = valid.text(1) ?? "GEOS rejected it"
                    guard makeValid, name != nil else {
                        throw ImportError(file: input.source, location: what,
                                          message: "invalid polygon: \(reason)" + (name == nil ? "" : " (--make-valid repairs it with GEOS and reports the change)"))
                    }
                    try repair.reset()
                    try repair.bind([.blob(blob)])
                    guard try repair.step(), let fixed = repair.blob(0), repair.int(3) > 0 else {
                        throw ImportError(file: input.source, location: what,
                                          message: "invalid polygon (\(reason)) and its repair has no polygonal part left")
                    }
                    load.repairs.append(.init(location: what, name: name ?? "", reason: reason,
                                              areaBefore: repair.double(1), areaAfter: repair.double(2), parts: repair.int(3),
                                              repairedType: repair.text(4) ?? ""))
                    return fixed
                }
                let insDistrict = try db.prepare("INSERT INTO districts(name) VALUES (?) ON CONFLICT(name) DO NOTHING")
                let getDistrict = try db.prepare("SELECT id FROM districts WHERE name = ?")
                var districtIDs: [String: Int64] = [:]
                func districtID(_ name: String) throws -> Int64 {
                    if let id = districtIDs[name] { return id }
                    try insDistrict.run([.text(name)])
                    try getDistrict.reset()
                    try getDistrict.bind([.text(name)])
                    _ = try getDistrict.step()
                    let id = getDistrict.int64(0)
                    districtIDs[name] = id
                    return id
                }
                let insM = try db.prepare("INSERT INTO mahalle(name, code, population, district_id, geom) VALUES (?, ?, ?, ?, ?)")
                var mahalleIDs: [String: Int64] = [:]  // "district\u{1}name" and "name"
                for m in input.mahalle {
                    let blob = try checked(SpatiaLiteBlob.multiPolygon(m.geometry), m.location, name: m.name)
                    let did = try districtID(m.district)
                    do {
                        try insM.run([.text(m.name), .opt(m.code), .int(Int64(m.population)), .int(did), .blob(blob)])
                    } catch let e as SQLiteError where e.code == SQLITE_CONSTRAINT {
                        throw ImportError(file: input.source, location: m.location,
                                          message: "mahalle '\(m.name)' already exists in district '\(m.district)'")
                    }
                    mahalleIDs[m.district + "\u{1}" + TurkishText.foldKey(m.name)] = db.lastInsertRowID
                    mahalleIDs[TurkishText.foldKey(m.name)] = db.lastInsertRowID
                }
                let insP = try db.prepare("INSERT INTO parcels(ada, parsel, street, door, mahalle_id, geom) VALUES (?, ?, ?, ?, ?, ?)")
                let mahalleNow = try loadMahalleForParcels()
                let geocoder = ReverseGeocoder(mahalle: mahalleNow, parcels: [])
                for p in input.parcels {
                    let blob = try checked(SpatiaLiteBlob.multiPolygon(p.geometry), p.location, name: nil)
                    // The parcel's mahalle: its named one if given, else the one containing its centre.
                    var mid: Int64? = p.mahalle.flatMap { mahalleIDs[TurkishText.foldKey($0)] }
                    if mid == nil { mid = geocoder.mahalleContaining(p.geometry.bbox.center)?.id }
                    try insP.run([.opt(p.ada), .opt(p.parsel), .text(p.street), .text(p.door), .opt(mid), .blob(blob)])
                }
                let insC = try db.prepare("""
                    INSERT INTO categories(code, name_tr, name_en, department) VALUES (?, ?, ?, ?)
                    ON CONFLICT(code) DO UPDATE SET name_tr = excluded.name_tr, name_en = excluded.name_en,
                    department = excluded.department
                    """)
                for c in input.categories {
                    try insC.run([.text(c.code), .text(c.nameTR), .text(c.nameEN), .text(c.department)])
                }
                load.mahalle = input.mahalle.count
                load.parcels = input.parcels.count
                load.categories = input.categories.count
                load.overlaps = try overlaps(districts: Set(districtIDs.values))
                return load
            }
        }
    }

    /// Pairs of mahalle of one district whose interiors overlap (shared borders touch, they do not overlap).
    /// Slivers under `BoundaryLoad.sliverSquareMetres` are digitising noise: counted, not listed.
    func overlaps(districts: Set<Int64>) throws -> [BoundaryLoad.Overlap] {
        guard !districts.isEmpty else { return [] }
        let st = try db.prepare("""
            SELECT a.name, b.name, d.name, ST_Area(ST_Intersection(a.geom, b.geom), 1) AS area
            FROM mahalle a JOIN mahalle b ON b.district_id = a.district_id AND b.id > a.id
            JOIN districts d ON d.id = a.district_id
            WHERE a.district_id IN (\(districts.map(String.init).joined(separator: ",")))
              AND b.rowid IN (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'mahalle' AND search_frame = a.geom)
              AND ST_Overlaps(a.geom, b.geom) = 1
            ORDER BY area DESC
            """)
        var out: [BoundaryLoad.Overlap] = []
        while try st.step() {
            let area = st.double(3)
            if area > 0 { out.append(.init(a: st.text(0) ?? "", b: st.text(1) ?? "", district: st.text(2) ?? "", squareMetres: area)) }
        }
        return out
    }

    private func loadMahalleForParcels() throws -> [Mahalle] { try mahalleList() }

    // MARK: - Complaints

    public func insert(_ c: NewComplaint) throws -> Complaint {
        guard c.location.isValid else { throw StoreError.invalid("invalid coordinates \(c.location.lon), \(c.location.lat)") }
        let address = try geocode(c.location)
        return try locked {
            try db.transaction {
                let category = try ensureCategory(c.category)
                let route = try routeLocked(category: c.category, district: address.districtName)
                let id = try insertRow(c, address: address, department: route?.department, explicitID: nil)
                if let team = route?.team { try db.prepare("UPDATE complaints SET team = ? WHERE id = ?").run([.text(team), .int(id)]) }
                try enqueueLocked(.created, complaintID: id, at: Date())
                return Complaint(id: id, fields: c, address: address, department: route?.department ?? category.department)
            }
        }
    }

    /// The category with this code, created (named after its code, department unknown) if new.
    func ensureCategory(_ code: String) throws -> Category {
        if let c = try categoryMap()[code] { return c }
        let c = Category(code: code, nameTR: code, nameEN: code, department: "Belirtilmemiş")
        try db.prepare("INSERT INTO categories(code, name_tr, name_en, department) VALUES (?, ?, ?, ?)")
            .run([.text(c.code), .text(c.nameTR), .text(c.nameEN), .text(c.department)])
        cachedCategories?[code] = c
        return c
    }

    private var insertStatement: Statement?


    static let insertSQL = """
        INSERT INTO complaints(id, external_ref, category, channel, type, status, created_at, updated_at, resolved_at,
            satisfaction, description, media_urls, contact_name, contact_phone, contact_email, mahalle_id, district_id,
            street, door, department, geom, channel_text, type_text, quality)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
        """

    /// Binds and runs one INSERT on the (cached) prepared statement. Caller holds the lock and a transaction.
    @discardableResult
    func insertRow(_ c: NewComplaint, address: AddressMatch, department: String?, explicitID: Int64?,
                   statement: Statement? = nil, blob: inout [UInt8]) throws -> Int64 {
        let st: Statement
        if let statement { st = statement } else {
            if insertStatement == nil || insertStatement!.db !== db { insertStatement = try db.prepare(Self.insertSQL) }
            st = insertStatement!
        }
        try st.reset()
        if let explicitID { st.bindInt(explicitID, at: 1) } else { st.bindNull(at: 1) }
        st.bindText(c.externalRef, at: 2)
        st.bindText(c.category, at: 3)
        st.bindText(c.channel.rawValue, at: 4)
        st.bindText(c.type.rawValue, at: 5)
        st.bindText(c.status.rawValue, at: 6)
        let unix = { (d: Date) in Int64(d.timeIntervalSince1970.rounded(.down)) }
        st.bindTimestamp(unix(c.createdAt), at: 7)
        st.bindTimestamp(c.updatedAt.map(unix), at: 8)
        st.bindTimestamp(c.resolvedAt.map(unix), at: 9)
        if let s = c.satisfaction { st.bindInt(Int64(s), at: 10) } else { st.bindNull(at: 10) }
        st.bindText(c.description, at: 11)
        st.bindText(c.mediaURLs.isEmpty ? nil : Self.jsonArray(c.mediaURLs), at: 12)
        st.bindText(c.contactName, at: 13)
        st.bindText(c.contactPhone, at: 14)
        st.bindText(c.contactEmail, at: 15)
        if let m = address.mahalleID { st.bindInt(m, at: 16) } else { st.bindNull(at: 16) }
        if let d = address.districtID { st.bindInt(d, at: 17) } else { st.bindNull(at: 17) }
        st.bindText(address.street, at: 18)
        st.bindText(address.doorNumber, at: 19)
        st.bindText(department, at: 20)
        SpatiaLiteBlob.point(c.location, into: &blob)
        blob.withUnsafeBytes { st.bindBlob($0, at: 21) }
        st.bindText(c.channelText, at: 22)
        st.bindText(c.typeText, at: 23)
        st.bindInt(Int64(c.dataIssues.rawValue), at: 24)
        try st.step()
        return explicitID ?? db.lastInsertRowID
    }

    func insertRow(_ c: NewComplaint, address: AddressMatch, department: String?, explicitID: Int64?) throws -> Int64 {
        var blob: [UInt8] = []
        return try insertRow(c, address: address, department: department, explicitID: explicitID, blob: &blob)
    }

    /// A list of strings as the store keeps it in a TEXT column (media URLs, a key's or hook's names).
    static func jsonArray(_ items: [String]) -> String {
        (try? String(decoding: JSONSerialization.data(withJSONObject: items), as: UTF8.self)) ?? "[]"
    }

    /// The list back from its column (nil: NULL or not a list of strings).
    static func stringArray(json text: String?) -> [String]? {
        text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
    }

    public func complaint(id: Int64) throws -> Complaint? {
        try locked { try complaintsLocked(where: "id = ?", [.int(id)]).first?.complaint }
    }

    /// Complaints with their team, all fields (personal ones too: callers decide what to expose).
    func complaintsLocked(where condition: String, _ args: [SQLValue]) throws -> [(complaint: Complaint, team: String?)] {
        let st = try db.prepare("""
            SELECT external_ref, category, channel, type, status, created_at, updated_at, resolved_at, satisfaction,
                description, media_urls, contact_name, contact_phone, contact_email, mahalle_id, district_id, street,
                door, COALESCE(department, (SELECT department FROM categories WHERE code = c.category)), geom,
                (SELECT name FROM mahalle WHERE id = c.mahalle_id), (SELECT name FROM districts WHERE id = c.district_id),
                channel_text, type_text, quality, id, team
            FROM complaints c WHERE \(condition)
            """)
        try st.bind(args)
        var out: [(complaint: Complaint, team: String?)] = []
        while try st.step() {
            let loc = st.withBytes(19) { SpatiaLiteBlob.readPoint($0) } ?? LonLat(lon: .nan, lat: .nan)
            func date(_ c: Int32) -> Date? { st.text(c).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
            let media = Self.stringArray(json: st.text(10)) ?? []
            var fields = NewComplaint(
                externalRef: st.text(0), location: loc, category: st.text(1) ?? "",
                channel: Channel(rawValue: st.text(2) ?? "") ?? .phone, type: ComplaintType(rawValue: st.text(3) ?? "") ?? .sikayet,
                status: ComplaintStatus(rawValue: st.text(4) ?? "") ?? .open, createdAt: date(5) ?? Date(timeIntervalSince1970: 0),
                updatedAt: date(6), resolvedAt: date(7), satisfaction: st.optInt(8), description: st.text(9), mediaURLs: media,
                contactName: st.text(11), contactPhone: st.text(12), contactEmail: st.text(13))
            fields.channelText = st.text(22)
            fields.typeText = st.text(23)
            fields.dataIssues = DataIssues(rawValue: st.int(24))
            let addr = AddressMatch(mahalleID: st.optInt64(14), mahalleName: st.text(20), districtID: st.optInt64(15),
                                    districtName: st.text(21), street: st.text(16), doorNumber: st.text(17))
            out.append((Complaint(id: st.int64(25), fields: fields, address: addr, department: st.text(18)), st.text(26)))
        }
        return out
    }

    /// Work not yet closed — open, assigned, in progress, and resolved (awaiting a supervisor's approval) — with
    /// every field and the team, read through the partial index on those statuses.
    public func openWork(departments: [String]? = nil) throws -> [(complaint: Complaint, team: String?)] {
        try locked {
            var condition = "status IN ('open', 'assigned', 'in_progress', 'resolved')"
            var args: [SQLValue] = []
            if let departments {
                // Exact names (callers pass the store's own spelling); the caller re-checks with Turkish folding.
                condition += " AND COALESCE(department, (SELECT department FROM categories WHERE code = c.category)) IN ("
                    + departments.map { _ in "?" }.joined(separator: ", ") + ")"
                args = departments.map { .text($0) }
            }
            return try complaintsLocked(where: condition, args)
        }
    }

    // MARK: - Snapshot

    public func loadSnapshot() throws -> ComplaintSnapshot {
        try locked {
            let cats = try categoryMap().keys.sorted()
            let mahalleIDs = try mahalleList().map(\.id)
            let districtRows = try districts()
            let tables = ComplaintSnapshot.Tables(categories: cats, mahalle: mahalleIDs, districts: districtRows.map(\.name))
            var districtIndexByID: [Int64: UInt8] = [:]
            for d in districtRows { districtIndexByID[d.id] = tables.districtIndex[d.name] }
            let st = try db.prepare("""
                SELECT id, geom, category, status, channel, type, created_at, resolved_at, mahalle_id, district_id, satisfaction, quality
                FROM complaints
                """)
            var records: [CompactComplaint] = []
            records.reserveCapacity(Int(try db.scalarInt("SELECT count(*) FROM complaints") ?? 0))
            let statusCodes = Dictionary(uniqueKeysWithValues: ComplaintStatus.allCases.map { ($0.rawValue, CompiledFilter.statusCode($0)) })
            let channelCodes = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0.rawValue, CompiledFilter.channelCode($0)) })
            let typeCodes = Dictionary(uniqueKeysWithValues: ComplaintType.allCases.map { ($0.rawValue, CompiledFilter.typeCode($0)) })
            while try st.step() {
                guard let p = st.withBytes(1, { SpatiaLiteBlob.readPoint($0) }) else { continue }
                let created = st.withBytes(6) { Timestamp.parse(bytes: $0) } ?? 0
                let resolved = st.isNull(7) ? nil : st.withBytes(7) { Timestamp.parse(bytes: $0) }
                records.append(Self.compact(
                    id: st.int64(0), location: p, category: tables.categoryIndex[st.text(2) ?? ""] ?? 0,
                    status: statusCodes[st.text(3) ?? ""] ?? 0, channel: channelCodes[st.text(4) ?? ""] ?? 0,
                    type: typeCodes[st.text(5) ?? ""] ?? 0, created: created, resolved: resolved,
                    mahalle: st.optInt64(8).flatMap { tables.mahalleIndex[$0] } ?? 0,
                    district: st.optInt64(9).flatMap { districtIndexByID[$0] } ?? 0, satisfaction: st.optInt(10),
                    issues: DataIssues(rawValue: st.int(11))))
            }
            return ComplaintSnapshot(tables: tables, records: records)
        }
    }

    /// The compact record of one complaint.
    public static func compact(id: Int64, location: LonLat, category: UInt8, status: UInt8, channel: UInt8, type: UInt8,
                               created: Int64, resolved: Int64?, mahalle: UInt16, district: UInt8,
                               satisfaction: Int?, issues: DataIssues = []) -> CompactComplaint {
        let (x, y) = WebMercator.fixed(location)
        let ym = IstanbulTime.yearMonth(unix: created)
        return CompactComplaint(
            x: x, y: y, id: UInt32(truncatingIfNeeded: id), created: CompactComplaint.seconds2000(unix: created),
            resolved: resolved.map { max(CompactComplaint.seconds2000(unix: $0), 1) } ?? 0, mahalle: mahalle,
            category: category, status: status, channel: channel, type: type, district: district,
            satisfaction: UInt8(clamping: satisfaction ?? 0), month: CompactComplaint.month2000(year: ym.year, month: ym.month),
            flags: issues.contains(.stackExcluded) ? CompactComplaint.stackExcluded : 0)
    }

    /// SQLite's own checks: `PRAGMA integrity_check` and `rtreecheck()` on every spatial index. Empty = all good.
    public func integrityProblems() throws -> [String] {
        try locked {
            var problems: [String] = []
            let ic = try db.scalarText("PRAGMA integrity_check") ?? "?"
            if ic != "ok" { problems.append("integrity_check: \(ic)") }
            for t in ["idx_mahalle_geom", "idx_parcels_geom", "idx_complaints_geom"] {
                let r = try db.scalarText("SELECT rtreecheck('\(t)')") ?? "?"
                if r != "ok" { problems.append("rtreecheck(\(t)): \(r)") }
            }
            return problems
        }
    }
}

/// What `addBoundaries` did: counts, the polygons it repaired and the overlaps it found.
public struct BoundaryLoad: Sendable {
    public struct Repair: Sendable {
        public var location: String      // "feature 126"
        public var name: String
        public var reason: String        // GEOS: "Ring Self-intersection[36.9 37.5]"
        public var areaBefore: Double    // m², as drawn (a self-intersecting ring's lobes may cancel out)
        public var areaAfter: Double     // m²
        public var parts: Int
        public var repairedType: String  // what ST_MakeValid gave before the polygonal parts were kept
    }
    public struct Overlap: Sendable {
        public var a: String, b: String, district: String
        public var squareMetres: Double
    }
    public var mahalle = 0, parcels = 0, categories = 0
    public var repairs: [Repair] = []
    /// Every overlap found, largest first (see `sliverSquareMetres`).
    public var overlaps: [Overlap] = []
    /// Overlaps smaller than this (100 m²) are counted as slivers rather than listed.
    public static let sliverSquareMetres = 100.0
    public init() {}
}

/// What `taskmap init` loads: boundaries, parcels and categories, each with where it came from for error messages.
public struct BoundaryInput: Sendable {
    public struct MahalleRow: Sendable {
        public var name: String, code: String?, population: Int, district: String
        public var geometry: MultiPolygon
        public var location: String  // e.g. "feature 12"
        public init(name: String, code: String?, population: Int, district: String, geometry: MultiPolygon, location: String) {
            self.name = name; self.code = code; self.population = population; self.district = district
            self.geometry = geometry; self.location = location
        }
    }
    public struct ParcelRow: Sendable {
        public var ada: String?, parsel: String?, street: String, door: String, mahalle: String?
        public var geometry: MultiPolygon
        public var location: String
        public init(ada: String?, parsel: String?, street: String, door: String, mahalle: String?, geometry: MultiPolygon, location: String) {
            self.ada = ada; self.parsel = parsel; self.street = street; self.door = door; self.mahalle = mahalle
            self.geometry = geometry; self.location = location
        }
    }
    public var source: String
    public var mahalle: [MahalleRow]
    public var parcels: [ParcelRow]
    public var categories: [Category]
    public init(source: String, mahalle: [MahalleRow], parcels: [ParcelRow], categories: [Category]) {
        self.source = source; self.mahalle = mahalle; self.parcels = parcels; self.categories = categories
    }
}
