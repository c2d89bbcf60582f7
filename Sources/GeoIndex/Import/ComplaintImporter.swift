import Foundation

/// What an import writes into: a SpatiaLite file or a PostGIS pool. Rows are parsed, checked and geocoded the
/// same way for both; only the write differs (SQLite inserts and a packed R-tree, or a binary COPY).
public protocol ImportTarget: AnyObject {
    func categories() throws -> [Category]
    func geocoder() throws -> ReverseGeocoder
    func forwardGeocoder() throws -> ForwardGeocoder
    /// Writes every row in one transaction, or none.
    func bulkInsert(_ rows: [PreparedComplaint], file: String) throws -> BulkInsertResult
}

extension SpatiaLiteStore: ImportTarget {}

/// Reads complaints from CSV or GeoJSON, validates every row, reverse-geocodes them on all cores and writes them
/// in one transaction. Nothing is written unless the whole input is good (or `skipInvalid` moves the bad rows
/// to a rejects file).
public struct ComplaintImporter {
    public enum Format: String, Sendable { case csv, xlsx, geojson }

    public struct Options: Sendable {
        /// Input CRS ("EPSG:N"); nil = WGS 84 lon/lat.
        public var srs: String? = nil
        /// Write bad rows to `rejectsPath` and import the rest, instead of failing the whole import.
        public var skipInvalid = false
        public var rejectsPath: String? = nil
        /// Refuse category codes the store does not know (by default a new category is created and reported).
        public var strictCategories = false
        /// How many row errors to list before "… and N more".
        public var maxListedErrors = 20
        /// Worker threads for parsing and geocoding (default: all cores).
        public var jobs = ProcessInfo.processInfo.activeProcessorCount
        /// Source columns for taskmap's fields (`--columns`) and source values for its codes (`--values`).
        public var mapping = ImportMapping()
        /// strptime-style date formats tried in order (`--date-format`); empty = ISO 8601 and Turkish dates.
        public var dateFormats: [String] = []
        /// Time zone of dates without an offset (`--timezone`); nil = Europe/Istanbul.
        public var timeZone: TimeZone? = nil
        /// Forced reading of a CSV (nil = sniffed): encoding, delimiter byte, decimal comma.
        public var encoding: TextEncoding? = nil
        public var delimiter: UInt8? = nil
        public var decimalComma: Bool? = nil
        /// The .xlsx sheet to read (nil = the first).
        public var sheet: String? = nil
        /// Rows on one coordinate that make a stack (nil = `DataQuality.defaultStackThreshold`).
        public var stackThreshold: Int? = nil
        /// Flag the rows on stacks so heat maps and hot spots leave them out (they stay in counts).
        public var excludeStacks = false
        public init() {}
    }

    public struct Summary: Sendable {
        public var rows = 0
        public var imported = 0
        public var assigned = 0
        public var unassigned = 0
        public var withAddress = 0
        public var rejected = 0
        public var newCategories: [String] = []
        public var seconds = 0.0
        public var report = ImportReport()
    }

    /// Every row error found, with the file named.
    public struct RowErrors: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var errors: [RowError]
        public var total: Int
        /// How the file was read ("';' delimited, decimal comma, windows-1254, dates …"): often the reason.
        public var readAs: String = ""
        public var description: String {
            var s = errors.map { "\(file): line \($0.line)\($0.field.map { ", field '\($0)'" } ?? ""): \($0.message)" }
                .joined(separator: "\n")
            if total > errors.count { s += "\n… and \(total - errors.count) more invalid rows" }
            if !readAs.isEmpty { s += "\n(read as: \(readAs))" }
            s += "\nnothing was imported (use --skip-invalid --rejects FILE to import the valid rows and set the rest aside)"
            return s
        }
    }

    public struct RowError: Error, Sendable {
        public var line: Int
        public var field: String?
        public var message: String
    }

    public let store: any ImportTarget
    public var options: Options

    public init(store: any ImportTarget, options: Options = Options()) {
        self.store = store
        self.options = options
    }

    public static func format(forPath path: String) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") || lower.hasSuffix(".json") { return .geojson }
        if lower.hasSuffix(".xlsx") || lower.hasSuffix(".xlsm") || lower.hasSuffix(".xls") || XLSXReader.looksLikeXLSX(path: path) { return .xlsx }
        return .csv
    }

    public func importFile(_ path: String, format: Format? = nil) throws -> Summary {
        let t0 = Date()
        var timer = PhaseTimer("import")
        let fmt = format ?? Self.format(forPath: path)
        // Validate the CRS before reading anything.
        if let srs = options.srs { _ = try CoordinateTransform(from: srs) }
        var parsed: ParsedRows
        switch fmt {
        case .csv: parsed = try parseCSV(path, workbook: options.sheet != nil)
        case .xlsx: parsed = try parseCSV(path, workbook: true)
        case .geojson: parsed = try parseGeoJSONPoints(path)
        }
        timer.mark("parse")
        if let srs = options.srs { try reproject(&parsed, srs: srs) }
        let knownCategories = Set(try store.categories().map(\.code))
        for i in parsed.rows.indices where parsed.errors[i] == nil {
            guard let r = parsed.rows[i] else { continue }
            if !r.location.isValid {
                parsed.errors[i] = RowError(line: parsed.lines[i], field: "lon/lat",
                                            message: Self.coordinateProblem(r.location))
            } else if options.strictCategories && !knownCategories.contains(r.category) {
                parsed.errors[i] = RowError(line: parsed.lines[i], field: "category",
                                            message: "unknown category '\(r.category)' (--strict-categories)")
            }
        }
        timer.mark("check coordinates and categories")
        // Duplicate ids inside the file: sort (hash, row) pairs and compare the strings only where hashes
        // collide — a million-entry string dictionary costs several times more.
        Self.markDuplicateRefs(&parsed)
        timer.mark("duplicate ids")
        let bad = parsed.errors.indices.filter { parsed.errors[$0] != nil }
        if !bad.isEmpty && !options.skipInvalid {
            throw RowErrors(file: path, errors: bad.prefix(options.maxListedErrors).map { parsed.errors[$0]! }, total: bad.count,
                            readAs: parsed.readAs)
        }
        if !bad.isEmpty, let rejects = options.rejectsPath {
            try writeRejects(rejects, parsed: parsed, bad: bad)
        }
        let goodIdx = parsed.errors.indices.filter { parsed.errors[$0] == nil }
        if goodIdx.isEmpty {
            throw ImportError(file: path, message: bad.isEmpty ? "no data rows" : "no valid rows (\(bad.count) rejected)")
        }
        let geocoder = try store.geocoder()
        let errorsByRow = parsed.errors
        var rows = Self.geocode(parsed: &parsed, goodIdx: goodIdx, geocoder: geocoder, jobs: max(1, options.jobs))
        timer.mark("geocode")
        // The report reads the rows; with --exclude-stacks its stacks flag rows before they are written, otherwise
        // it is made on the other core while this one writes (the packed R-tree shares that core only briefly).
        var report: ImportReport
        let result: BulkInsertResult
        if options.excludeStacks {
            report = qualityReport(rows, errors: errorsByRow)
            Self.flagStacks(&rows, report.stacks)
            report.stacksExcluded = !report.stacks.isEmpty
            timer.mark("quality report")
            result = try store.bulkInsert(rows, file: path)
        } else {
            final class Box: @unchecked Sendable { var report = ImportReport() }
            let box = Box(), group = DispatchGroup()
            let frozen = rows
            DispatchQueue.global().async(group: group) { box.report = self.qualityReport(frozen, errors: errorsByRow) }
            defer { group.wait() }
            result = try store.bulkInsert(rows, file: path)
            group.wait()
            report = box.report
        }
        report.readAs = parsed.readAs
        timer.mark("write and quality report")
        var s = Summary()
        s.rows = parsed.lines.count
        s.imported = result.inserted
        s.unassigned = report.outside  // the report counted them
        s.assigned = s.imported - s.unassigned
        s.withAddress = rows.reduce(0) { $0 + ($1.address.street != nil ? 1 : 0) }
        s.rejected = bad.count
        s.newCategories = result.newCategories.sorted()
        s.seconds = Date().timeIntervalSince(t0)
        report.imported = s.imported
        s.report = report
        return s
    }

    /// Reverse-geocodes the good rows on all cores into the rows to write, and frees the parsed rows.
    static func geocode(parsed: inout ParsedRows, goodIdx: [Int], geocoder: ReverseGeocoder, jobs: Int) -> [PreparedComplaint] {
        let chunk = max(1, (goodIdx.count + jobs * 4 - 1) / (jobs * 4))
        let sourceRows = parsed.rows, lines = parsed.lines
        parsed.rows = []
        // Built in place: no optional wrapper, no second copy of a million rows.
        return [PreparedComplaint](unsafeUninitializedCapacity: goodIdx.count) { buf, initialized in
            let out = buf
            DispatchQueue.concurrentPerform(iterations: (goodIdx.count + chunk - 1) / chunk) { c in
                for k in (c * chunk)..<min(goodIdx.count, (c + 1) * chunk) {
                    let i = goodIdx[k]
                    let row = sourceRows[i]!
                    (out.baseAddress! + k).initialize(to: PreparedComplaint(
                        fields: row, address: geocoder.geocode(row.location), sourceLine: lines[i]))
                }
            }
            initialized = goodIdx.count
        }
    }

    static func markDuplicateRefs(_ parsed: inout ParsedRows) {
        var keyed: [(hash: UInt64, row: Int)] = []
        keyed.reserveCapacity(parsed.rows.count)
        for i in parsed.rows.indices where parsed.errors[i] == nil {
            guard let ref = parsed.rows[i]?.externalRef else { continue }
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in ref.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            keyed.append((h, i))
        }
        keyed.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.row < $1.row }
        var k = 0
        while k < keyed.count {
            var e = k + 1
            while e < keyed.count && keyed[e].hash == keyed[k].hash { e += 1 }
            if e - k > 1 {
                // Same hash: group by the actual string, in row order; every later copy is an error.
                var first: [String: Int] = [:]
                for j in k..<e {
                    let i = keyed[j].row
                    let ref = parsed.rows[i]!.externalRef!
                    if let f = first[ref] {
                        parsed.errors[i] = RowError(line: parsed.lines[i], field: "id", message: "duplicate id '\(ref)' (first on line \(parsed.lines[f]))")
                    } else { first[ref] = i }
                }
            }
            k = e
        }
    }

    static func coordinateProblem(_ p: LonLat) -> String {
        if !p.lon.isFinite || !p.lat.isFinite { return "coordinates are NaN or infinite (or could not be transformed)" }
        if abs(p.lat) > 90 { return "latitude \(p.lat) is outside ±90 (are lon and lat swapped?)" }
        return "longitude \(p.lon) is outside ±180"
    }

    // MARK: - Parsed rows

    struct ParsedRows {
        var rows: [NewComplaint?]
        var errors: [RowError?]
        var lines: [Int]
        /// Raw source text per row, for the rejects file.
        var raw: (Int) -> String
        var rawHeader: String
        /// The source's delimiter, so the rejects file reads like the input.
        var delimiter = ","
        /// How the file was read, for the report.
        var readAs = ""
    }

    private func reproject(_ parsed: inout ParsedRows, srs: String) throws {
        let t = try CoordinateTransform(from: srs)
        if t.isIdentity { return }
        var idx: [Int] = []
        var xs: [Double] = [], ys: [Double] = []
        for i in parsed.rows.indices where parsed.errors[i] == nil {
            if let r = parsed.rows[i] { idx.append(i); xs.append(r.location.lon); ys.append(r.location.lat) }
        }
        t.transform(xs: &xs, ys: &ys)
        for (k, i) in idx.enumerated() { parsed.rows[i]!.location = LonLat(lon: xs[k], lat: ys[k]) }
    }

    private func writeRejects(_ path: String, parsed: ParsedRows, bad: [Int]) throws {
        let d = parsed.delimiter
        var out = parsed.rawHeader + d + "error\n"
        for i in bad {
            let e = parsed.errors[i]!
            let msg = "line \(e.line)\(e.field.map { " \($0)" } ?? ""): \(e.message)".replacingOccurrences(of: "\"", with: "\"\"")
            out += parsed.raw(i) + d + "\"" + msg + "\"\n"
        }
        do { try out.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw ImportError(file: path, message: "cannot write rejects file: \(error.localizedDescription)")
        }
    }
}

extension ComplaintImporter {
    /// Marks the rows on these stacks to stay out of heat maps and hot spots (`--exclude-stacks`).
    static func flagStacks(_ rows: inout [PreparedComplaint], _ stacks: [DataQuality.Stack]) {
        guard !stacks.isEmpty else { return }
        let on = Set(stacks.map { [$0.location.lon.bitPattern, $0.location.lat.bitPattern] })
        for i in rows.indices where on.contains([rows[i].fields.location.lon.bitPattern, rows[i].fields.location.lat.bitPattern]) {
            rows[i].fields.dataIssues.insert(.stackExcluded)
        }
    }

    /// The data-quality report of the rows about to be written: rejections by reason, points outside every
    /// mahalle, stacks, far-off dates, dropped times, unknown values.
    func qualityReport(_ rows: [PreparedComplaint], errors: [RowError?]) -> ImportReport {
        var r = ImportReport()
        r.rowsRead = errors.count
        var reasons: [String: ImportReport.Reason] = [:]
        var order: [String] = []
        for e in errors.compactMap({ $0 }) {
            let key = (e.field.map { "field '\($0)': " } ?? "") + DataQuality.reason(e.message)
            if reasons[key] == nil { reasons[key] = .init(reason: key, count: 0, lines: []); order.append(key) }
            reasons[key]!.count += 1
            if reasons[key]!.lines.count < ImportReport.listed { reasons[key]!.lines.append(e.line) }
            if e.message.hasPrefix("duplicate id") { r.duplicateIDs += 1 }
        }
        r.rejected = order.map { reasons[$0]! }.sorted { $0.count > $1.count }
        r.outside = rows.reduce(0) { $0 + ($1.address.isAssigned ? 0 : 1) }
        r.stackThreshold = options.stackThreshold ?? DataQuality.defaultStackThreshold(rows: rows.count)
        r.stacks = DataQuality.stacks(rows.map(\.fields.location), threshold: r.stackThreshold)
        let times = rows.map { Int64($0.fields.createdAt.timeIntervalSince1970) }
        if let range = DataQuality.dateOutliers(times) {
            r.dateRange = (range.mainFrom, range.mainTo)
            r.datesOutsideCount = range.outside.count
            r.datesOutside = range.outside.prefix(ImportReport.listed).map { rows[$0].sourceLine }
        }
        var unknown: [String: Int] = [:]
        for row in rows {
            let f = row.fields
            if !f.dataIssues.isDisjoint(with: [.resolvedAtDropped, .updatedAtDropped]) {
                r.timesDroppedCount += 1
                if r.timesDropped.count < ImportReport.listed { r.timesDropped.append(row.sourceLine) }
            }
            if let t = f.channelText { unknown["channel\u{1}" + t, default: 0] += 1 }
            if let t = f.typeText { unknown["type\u{1}" + t, default: 0] += 1 }
        }
        r.unknownValues = unknown.map { k, n in
            let parts = k.split(separator: "\u{1}", maxSplits: 1).map(String.init)
            return ImportReport.UnknownValue(field: parts[0], text: parts.count > 1 ? parts[1] : "", count: n)
        }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.text < $1.text }
        return r
    }
}
