import Foundation

extension ComplaintImporter {
    /// Column positions resolved from a header (case-insensitive, with the accepted aliases).
    struct Columns {
        var x = -1, y = -1
        var xName = "lon", yName = "lat"
        var id = -1, category = -1, createdAt = -1, status = -1, channel = -1, type = -1, resolvedAt = -1
        var updatedAt = -1, satisfaction = -1, description = -1, media = -1
        var contactName = -1, contactPhone = -1, contactEmail = -1
        var count = 0

        init(header: [String], projected: Bool, file: String) throws {
            let keys = header.map { TurkishText.foldKey($0) }
            func find(_ names: String...) -> Int { keys.firstIndex { names.contains($0) } ?? -1 }
            count = header.count
            let lon = find("lon", "longitude", "lng", "long"), lat = find("lat", "latitude")
            let px = find("x", "easting"), py = find("y", "northing")
            if projected && px >= 0 && py >= 0 { x = px; y = py; xName = header[px]; yName = header[py] }
            else if lon >= 0 && lat >= 0 { x = lon; y = lat; xName = header[lon]; yName = header[lat] }
            else if px >= 0 && py >= 0 {
                throw ImportError(file: file, location: "line 1",
                                  message: "columns x,y are projected coordinates: give their CRS with --srs EPSG:N (e.g. EPSG:5254)")
            } else {
                throw ImportError(file: file, location: "line 1",
                                  message: "missing coordinate columns: expected lon,lat (or longitude,latitude, or x,y with --srs); header is: \(header.joined(separator: ","))")
            }
            id = find("id", "external_id", "external_ref", "ref", "basvuru_no")
            category = find("category", "kategori", "service_code")
            createdAt = find("created_at", "created", "requested_datetime", "tarih", "date")
            status = find("status", "durum")
            channel = find("channel", "kanal")
            type = find("type", "tur", "tip")
            resolvedAt = find("resolved_at", "resolved", "closed_at")
            updatedAt = find("updated_at", "updated")
            satisfaction = find("satisfaction", "memnuniyet")
            description = find("description", "aciklama")
            media = find("media_urls", "media_url", "media")
            contactName = find("contact_name", "name", "ad_soyad")
            contactPhone = find("contact_phone", "phone", "telefon")
            contactEmail = find("contact_email", "email", "e-posta")
            if category < 0 { throw ImportError(file: file, location: "line 1", message: "missing column 'category'") }
            if createdAt < 0 { throw ImportError(file: file, location: "line 1", message: "missing column 'created_at'") }
        }
    }

    func parseCSV(_ path: String) throws -> ParsedRows {
        let table = try CSVTable(path: path)
        let projected = options.srs.map { (try? CoordinateTransform(from: $0))?.isIdentity == false } ?? false
        let cols = try Columns(header: table.header, projected: projected, file: path)
        let n = table.records.count
        var rows = [NewComplaint?](repeating: nil, count: n)
        var errors = [RowError?](repeating: nil, count: n)
        let jobs = max(1, options.jobs)
        let chunk = max(1, (n + jobs * 8 - 1) / (jobs * 8))
        table.data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            rows.withUnsafeMutableBufferPointer { rowsOut in
                errors.withUnsafeMutableBufferPointer { errOut in
                    let ro = rowsOut, eo = errOut
                    DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { c in
                        var fields: [Range<Int>] = []
                        fields.reserveCapacity(cols.count + 4)
                        for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                            let rec = table.records[i]
                            CSVTable.split(b, rec.start, rec.end, into: &fields)
                            switch Self.parseRecord(b, fields, cols, line: rec.line) {
                            case .success(let r): ro[i] = r
                            case .failure(let e): eo[i] = e
                            }
                        }
                    }
                }
            }
        }
        let lines = table.records.map(\.line)
        let data = table.data
        let records = table.records
        let rawHeader = table.header.joined(separator: ",")
        return ParsedRows(rows: rows, errors: errors, lines: lines, raw: { i in
            let r = records[i]
            return data.withUnsafeBytes { String(decoding: $0[r.start..<r.end], as: UTF8.self) }
        }, rawHeader: rawHeader)
    }

    static func parseRecord(_ b: UnsafeBufferPointer<UInt8>, _ f: [Range<Int>], _ cols: Columns, line: Int) -> Result<NewComplaint, RowError> {
        func fail(_ field: String?, _ msg: String) -> Result<NewComplaint, RowError> {
            .failure(RowError(line: line, field: field, message: msg))
        }
        if f.count != cols.count {
            let hint = f.count > cols.count ? " (a decimal comma? numbers need a dot, e.g. 36.95)" : ""
            return fail(nil, "has \(f.count) fields, the header has \(cols.count)\(hint)")
        }
        func text(_ c: Int) -> String?? {  // nil = invalid UTF-8; .some(nil) = empty/absent
            guard c >= 0, !CSVTable.isEmpty(b, f[c]) else { return .some(nil) }
            guard let s = CSVTable.string(b, f[c]) else { return nil }
            return .some(s)
        }
        func number(_ c: Int, _ name: String) -> Result<Double, RowError> {
            if CSVTable.isEmpty(b, f[c]) { return .failure(RowError(line: line, field: name, message: "missing coordinate")) }
            guard let v = CSVTable.double(b, f[c]) else {
                let s = CSVTable.string(b, f[c]) ?? "?"
                return .failure(RowError(line: line, field: name, message: "not a number: '\(s.prefix(40))'"))
            }
            guard v.isFinite else { return .failure(RowError(line: line, field: name, message: "NaN or infinite coordinate")) }
            return .success(v)
        }
        let xv: Double, yv: Double
        switch number(cols.x, cols.xName) { case .success(let v): xv = v; case .failure(let e): return .failure(e) }
        switch number(cols.y, cols.yName) { case .success(let v): yv = v; case .failure(let e): return .failure(e) }
        guard let catText = text(cols.category) else { return fail("category", "invalid UTF-8") }
        guard let catRaw = catText else { return fail("category", "missing category") }
        let category = Self.categoryCode(catRaw)
        guard let createdText = text(cols.createdAt) else { return fail("created_at", "invalid UTF-8") }
        guard let createdRaw = createdText else { return fail("created_at", "missing date") }
        guard let created = Timestamp.parse(createdRaw) else {
            return fail("created_at", "unparseable date '\(createdRaw.prefix(40))' (expected ISO 8601, e.g. 2024-03-05T14:30:00+03:00)")
        }
        var c = NewComplaint(location: LonLat(lon: xv, lat: yv), category: category,
                             createdAt: Date(timeIntervalSince1970: TimeInterval(created)))
        if cols.id >= 0 {
            guard let v = text(cols.id) else { return fail("id", "invalid UTF-8") }
            c.externalRef = v
        }
        /// An optional coded column: empty keeps the default; an unknown value fails naming the field.
        func coded<T: RawRepresentable & CaseIterable>(_ col: Int, _ name: String, _ parse: (String) -> T?) -> Result<T?, RowError>
            where T.RawValue == String {
            guard col >= 0 else { return .success(nil) }
            guard let v = text(col) else { return .failure(RowError(line: line, field: name, message: "invalid UTF-8")) }
            guard let v else { return .success(nil) }
            guard let parsed = parse(v) else {
                let expected = T.allCases.map(\.rawValue).joined(separator: "|")
                return .failure(RowError(line: line, field: name, message: "unknown \(name) '\(v.prefix(30))' (expected \(expected))"))
            }
            return .success(parsed)
        }
        switch coded(cols.status, "status", ComplaintStatus.init(parsing:)) {
        case .success(let v): if let v { c.status = v }
        case .failure(let e): return .failure(e)
        }
        switch coded(cols.channel, "channel", Channel.init(parsing:)) {
        case .success(let v): if let v { c.channel = v }
        case .failure(let e): return .failure(e)
        }
        switch coded(cols.type, "type", ComplaintType.init(parsing:)) {
        case .success(let v): if let v { c.type = v }
        case .failure(let e): return .failure(e)
        }
        for (col, name) in [(cols.resolvedAt, "resolved_at"), (cols.updatedAt, "updated_at")] where col >= 0 {
            guard let v = text(col) else { return fail(name, "invalid UTF-8") }
            if let v {
                guard let t = Timestamp.parse(v) else { return fail(name, "unparseable date '\(v.prefix(40))' (expected ISO 8601)") }
                guard t >= created else { return fail(name, "\(name) is before created_at") }
                if name == "resolved_at" { c.resolvedAt = Date(timeIntervalSince1970: TimeInterval(t)) }
                else { c.updatedAt = Date(timeIntervalSince1970: TimeInterval(t)) }
            }
        }
        if cols.satisfaction >= 0 {
            guard let v = text(cols.satisfaction) else { return fail("satisfaction", "invalid UTF-8") }
            if let v {
                guard let s = Int(v.trimmingCharacters(in: .whitespaces)), (1...5).contains(s) else {
                    return fail("satisfaction", "'\(v.prefix(20))' is not a score from 1 to 5")
                }
                c.satisfaction = s
            }
        }
        for (col, name) in [(cols.description, "description"), (cols.contactName, "contact_name"),
                            (cols.contactPhone, "contact_phone"), (cols.contactEmail, "contact_email"),
                            (cols.media, "media_urls")] where col >= 0 {
            guard let v = text(col) else { return fail(name, "invalid UTF-8") }
            switch name {
            case "description": c.description = v
            case "contact_name": c.contactName = v
            case "contact_phone": c.contactPhone = v
            case "contact_email": c.contactEmail = v
            default: c.mediaURLs = v.map { $0.split(whereSeparator: { $0 == " " || $0 == "|" }).map(String.init) } ?? []
            }
        }
        return .success(c)
    }

    /// Category codes are case- and diacritic-folded ASCII: "Kar Temizliği" → "kar-temizligi".
    public static func categoryCode(_ s: String) -> String {
        var plain = true
        for b in s.utf8 where !((b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D) { plain = false; break }
        if plain { return s }
        return TurkishText.foldKey(s).split(whereSeparator: { $0 == " " || $0 == "_" }).joined(separator: "-")
    }
}
