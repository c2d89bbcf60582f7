import Foundation

extension ComplaintImporter {
    /// Turns one CSV record into a complaint: the columns found, the decimal comma, the date formats and the
    /// `--values` mapping. Shared by every worker thread (a value type, read only).
    struct RowParser: Sendable {
        var cols: Columns
        var decimalComma: Bool
        var dates: DateParser
        var mapping: ImportMapping
        /// Added to an unparseable date's message: what was expected.
        var dateHint: String
        /// Places rows that have an address and no coordinates (nil: no address column).
        var geocoder: ForwardGeocoder? = nil

        init(cols: Columns, decimalComma: Bool, dates: DateParser, mapping: ImportMapping, dateHint: String) {
            self.cols = cols; self.decimalComma = decimalComma; self.dates = dates; self.mapping = mapping; self.dateHint = dateHint
        }

        func parse(_ b: UnsafeBufferPointer<UInt8>, _ f: [Range<Int>], line: Int) -> Result<NewComplaint, RowError> {
            func fail(_ field: String?, _ msg: String) -> Result<NewComplaint, RowError> {
                .failure(RowError(line: line, field: field, message: msg))
            }
            if f.count != cols.count {
                let hint = f.count > cols.count && !decimalComma
                    ? " (a decimal comma? use --decimal-comma, or numbers with a dot, e.g. 36.95)" : ""
                return fail(nil, "has \(f.count) fields, the header has \(cols.count)\(hint)")
            }
            /// The field's text; nil when the column is absent or the field empty. (A table's bytes are UTF-8 by
            /// construction: `TextEncoding` checked or transcoded the whole file.)
            func text(_ c: Int) -> String? {
                guard c >= 0, !CSVTable.isEmpty(b, f[c]) else { return nil }
                return CSVTable.string(b, f[c])
            }
            func number(_ c: Int, _ name: String) -> Result<Double, RowError> {
                if CSVTable.isEmpty(b, f[c]) { return .failure(RowError(line: line, field: name, message: "missing coordinate")) }
                guard let v = CSVTable.double(b, f[c], decimalComma: decimalComma) else {
                    let s = CSVTable.string(b, f[c])
                    let hint = !decimalComma && s.contains(",") ? " (a decimal comma? use --decimal-comma)" : ""
                    return .failure(RowError(line: line, field: name, message: "not a number: '\(s.prefix(40))'\(hint)"))
                }
                guard v.isFinite else { return .failure(RowError(line: line, field: name, message: "NaN or infinite coordinate")) }
                return .success(v)
            }
            /// A descriptive coded column: the `--values` mapping, else the code's own spellings, else `other` with
            /// the source text (also kept when the source says "other" itself). nil: empty or no such column.
            func described<T: RawRepresentable & Equatable>(_ field: String, _ c: Int, _ parse: (String) -> T?, other: T)
                -> (T, String?)? where T.RawValue == String {
                guard let v = text(c) else { return nil }
                let code = mapping.value(field, v).flatMap(T.init(rawValue:)) ?? parse(v) ?? other
                return (code, code == other ? v : nil)
            }
            func date(_ c: Int, _ field: String) -> Result<Int64?, RowError> {
                guard let v = text(c) else { return .success(nil) }
                guard let t = dates.parse(v) else {
                    return .failure(RowError(line: line, field: cols.name(field, c), message: "unparseable date '\(v.prefix(40))'\(dateHint)"))
                }
                return .success(t)
            }
            var xv: Double, yv: Double
            let noCoordinates = cols.x < 0 || (CSVTable.isEmpty(b, f[cols.x]) && CSVTable.isEmpty(b, f[cols.y]))
            if noCoordinates, let geocoder, let address = text(cols.address) {
                // An operator's typed address (Alo 153 calls without GPS): placed when it names exactly one place.
                let found = geocoder.geocode(address)
                let field = cols.name("address", cols.address)
                guard let first = found.first else { return fail(field, "address '\(address.prefix(60))' matches no street, door or mahalle") }
                guard found.count == 1 else {
                    return fail(field, "address '\(address.prefix(60))' is ambiguous (\(found.count) places: "
                                + found.prefix(4).map { [$0.street, $0.mahalle, $0.district].compactMap { $0 }.joined(separator: ", ") }.joined(separator: "; ") + ")")
                }
                xv = first.location.lon; yv = first.location.lat
            } else {
                if cols.x < 0 { return fail(cols.name("address", cols.address), "no coordinates and no address") }
                switch number(cols.x, cols.xName) { case .success(let v): xv = v; case .failure(let e): return .failure(e) }
                switch number(cols.y, cols.yName) { case .success(let v): yv = v; case .failure(let e): return .failure(e) }
            }
            guard let catRaw = text(cols.category) else { return fail(cols.name("category", cols.category), "missing category") }
            let category = mapping.value("category", catRaw) ?? ComplaintImporter.categoryCode(catRaw)
            let created: Int64
            switch date(cols.createdAt, "created_at") {
            case .success(let t):
                guard let t else { return fail(cols.name("created_at", cols.createdAt), "missing date") }
                created = t
            case .failure(let e): return .failure(e)
            }
            var c = NewComplaint(location: LonLat(lon: xv, lat: yv), category: category,
                                 createdAt: Date(timeIntervalSince1970: TimeInterval(created)))
            c.externalRef = text(cols.id)
            // Status decides the work flow: a value taskmap cannot read stops the row (or is mapped with --values).
            if let v = text(cols.status) {
                guard let s = mapping.value("status", v).flatMap(ComplaintStatus.init(rawValue:)) ?? ComplaintStatus(parsing: v) else {
                    return fail(cols.name("status", cols.status), "unknown status '\(v.prefix(30))' (expected \(ComplaintStatus.allCases.map(\.rawValue).joined(separator: "|")), or map it with --values \"status:\(v.prefix(30))=closed\")")
                }
                c.status = s
            }
            // Channel and type only describe: an unknown value is kept as `other` with its text.
            if let (ch, t) = described("channel", cols.channel, Channel.init(parsing:), other: .other) { c.channel = ch; c.channelText = t }
            if let (ty, t) = described("type", cols.type, ComplaintType.init(parsing:), other: .other) { c.type = ty; c.typeText = t }
            // A closing or update time before the opening is a data error of the source, not a reason to lose the
            // complaint: the time is dropped and the row is listed in the report.
            switch date(cols.resolvedAt, "resolved_at") {
            case .success(let t):
                if let t {
                    if t >= created { c.resolvedAt = Date(timeIntervalSince1970: TimeInterval(t)) } else { c.dataIssues.insert(.resolvedAtDropped) }
                }
            case .failure(let e): return .failure(e)
            }
            switch date(cols.updatedAt, "updated_at") {
            case .success(let t):
                if let t {
                    if t >= created { c.updatedAt = Date(timeIntervalSince1970: TimeInterval(t)) } else { c.dataIssues.insert(.updatedAtDropped) }
                }
            case .failure(let e): return .failure(e)
            }
            if let v = text(cols.satisfaction) {
                guard let s = Int(v.trimmingCharacters(in: .whitespaces)), (1...5).contains(s) else {
                    return fail(cols.name("satisfaction", cols.satisfaction), "'\(v.prefix(20))' is not a score from 1 to 5")
                }
                c.satisfaction = s
            }
            for (col, name) in [(cols.description, "description"), (cols.contactName, "contact_name"),
                                (cols.contactPhone, "contact_phone"), (cols.contactEmail, "contact_email"),
                                (cols.media, "media_urls")] where col >= 0 {
                let v = text(col)
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
    }
}
