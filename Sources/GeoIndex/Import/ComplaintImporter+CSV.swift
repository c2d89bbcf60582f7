import Foundation

extension ComplaintImporter {
    /// Column positions resolved from a header: `--columns` first, then taskmap's names and their aliases
    /// (case-insensitive) for the fields left, never reusing a column already taken. Unnamed and repeated header
    /// cells are fine as long as nothing needs them.
    struct Columns: Sendable {
        var x = -1, y = -1
        var xName = "lon", yName = "lat"
        var id = -1, category = -1, createdAt = -1, status = -1, channel = -1, type = -1, resolvedAt = -1
        var updatedAt = -1, satisfaction = -1, description = -1, media = -1
        var contactName = -1, contactPhone = -1, contactEmail = -1
        /// A typed address (`adres`): geocoded from the store's parcels and mahalle when a row has no coordinates.
        var address = -1
        var count = 0
        /// Field → the header cell it was read from, for messages.
        var header: [String] = []

        init(header: [String], projected: Bool, file: String, mapping: [String: String] = [:]) throws {
            self.header = header
            let keys = header.map { TurkishText.foldKey($0) }
            count = header.count
            var taken = Set<Int>()
            var explicit: [String: Int] = [:]
            for (field, column) in mapping.sorted(by: { $0.key < $1.key }) {
                if column == "-" { explicit[field] = -1; continue }
                let matches = keys.indices.filter { keys[$0] == TurkishText.foldKey(column) }
                guard let i = matches.first else {
                    throw ImportError(file: file, location: "line 1",
                                      message: "--columns \(field)=\(column): no column '\(column)' in the header (header: \(header.map { $0.isEmpty ? "(unnamed)" : $0 }.joined(separator: ", ")))")
                }
                guard matches.count == 1 else {
                    throw ImportError(file: file, location: "line 1",
                                      message: "--columns \(field)=\(column): the header has \(matches.count) columns named '\(column)'")
                }
                if let other = explicit.first(where: { $0.value == i }) {
                    throw ImportError(file: file, location: "line 1", message: "--columns: column '\(column)' is given for both \(other.key) and \(field)")
                }
                explicit[field] = i
                taken.insert(i)
            }
            func find(_ field: String, _ names: String...) -> Int {
                if let e = explicit[field] { return e }
                let i = keys.indices.first { !taken.contains($0) && (keys[$0] == field || names.contains(keys[$0])) } ?? -1
                if i >= 0 { taken.insert(i) }
                return i
            }
            let lon = find("lon", "longitude", "lng", "long", "boylam"), lat = find("lat", "latitude", "enlem")
            let px = find("x", "easting"), py = find("y", "northing")
            address = find("address", "adres", "address_string", "acik_adres")
            if projected && px >= 0 && py >= 0 { x = px; y = py; xName = header[px]; yName = header[py] }
            else if lon >= 0 && lat >= 0 { x = lon; y = lat; xName = header[lon]; yName = header[lat] }
            else if address >= 0 && lon < 0 && lat < 0 && px < 0 && py < 0 { x = -1; y = -1 }  // places from addresses only
            else if px >= 0 && py >= 0 {
                throw ImportError(file: file, location: "line 1",
                                  message: "columns x,y are projected coordinates: give their CRS with --srs EPSG:N (e.g. EPSG:5254)")
            } else {
                throw ImportError(file: file, location: "line 1",
                                  message: "missing coordinate columns: expected lon,lat (or longitude,latitude, or x,y with --srs, or name them with --columns lon=COLUMN,lat=COLUMN, or an address column: adres / --columns address=COLUMN); header is: \(header.joined(separator: ","))")
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
            if category < 0 {
                throw ImportError(file: file, location: "line 1", message: "missing column 'category' (name the source column with --columns category=COLUMN)")
            }
            if createdAt < 0 {
                throw ImportError(file: file, location: "line 1", message: "missing column 'created_at' (name the source column with --columns created_at=COLUMN)")
            }
        }

        /// "created_at" or, when read from another column, "OPEN_DT" — the name the user sees in the file.
        func name(_ field: String, _ column: Int) -> String {
            guard column >= 0, column < header.count, !header[column].isEmpty else { return field }
            return TurkishText.foldKey(header[column]) == field ? field : header[column]
        }
    }

    /// A CSV file, or (`workbook`) one sheet of an .xlsx read through `XLSXReader` as CSV.
    func parseCSV(_ path: String, workbook: Bool) throws -> ParsedRows {
        let table: CSVTable
        var readAs: String
        if workbook {
            let sheet = try XLSXReader.csv(path: path, sheet: options.sheet)
            table = try CSVTable(data: sheet.data, file: path, encoding: .utf8, delimiter: 0x2C, decimalComma: false,
                                 rowNumbers: sheet.rowNumbers)
            readAs = "sheet '\(sheet.sheetName)' of an .xlsx workbook (rows numbered as in the sheet)"
        } else {
            table = try CSVTable(path: path, encoding: options.encoding, delimiter: options.delimiter, decimalComma: options.decimalComma)
            readAs = table.readAs
        }
        let projected = options.srs.map { (try? CoordinateTransform(from: $0))?.isIdentity == false } ?? false
        let cols = try Columns(header: table.header, projected: projected, file: path, mapping: options.mapping.columns)
        let dates = try dateParser(table, cols, file: path)
        readAs += ", dates " + (options.dateFormats.isEmpty ? dates.automaticDescription : options.dateFormats.joined(separator: " | "))
            + (options.timeZone.map { " in \($0.identifier)" } ?? " in Europe/Istanbul")
        var parser = RowParser(cols: cols, decimalComma: table.dialect.decimalComma, dates: dates, mapping: options.mapping,
                               dateHint: options.dateFormats.isEmpty
                                ? " (expected ISO 8601 such as 2024-03-05T14:30:00+03:00, or 05.03.2024 14:30; other forms: --date-format)"
                                : " (no --date-format matches: \(options.dateFormats.joined(separator: " | ")))")
        if cols.address >= 0 {
            parser.geocoder = try store.forwardGeocoder()
            readAs += ", places of rows without coordinates from '\(table.header[cols.address])'"
        }
        let n = table.records.count
        var rows = [NewComplaint?](repeating: nil, count: n)
        var errors = [RowError?](repeating: nil, count: n)
        let jobs = max(1, options.jobs)
        let chunk = max(1, (n + jobs * 8 - 1) / (jobs * 8))
        let delimiter = table.dialect.delimiter
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
                            CSVTable.split(b, rec.start, rec.end, delimiter: delimiter, into: &fields)
                            switch parser.parse(b, fields, line: rec.line) {
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
        let d = String(Character(Unicode.Scalar(delimiter)))
        return ParsedRows(rows: rows, errors: errors, lines: lines, raw: { i in
            let r = records[i]
            return data.withUnsafeBytes { String(decoding: $0[r.start..<r.end], as: UTF8.self) }
        }, rawHeader: table.header.joined(separator: d), delimiter: d, readAs: readAs)
    }

    /// `--date-format` as given, else the built-in set — with `dd/mm` against `mm/dd` decided from the date
    /// columns' first 5,000 values. Slash dates that cannot be told apart are an error naming the flag.
    private func dateParser(_ table: CSVTable, _ cols: Columns, file: String) throws -> DateParser {
        let tz = options.timeZone ?? IstanbulTime.timeZone
        if !options.dateFormats.isEmpty {
            do { return try DateParser(formats: options.dateFormats, timeZone: tz) } catch {
                throw ImportError(file: file, message: "\(error)")
            }
        }
        var samples: [String] = []
        var fields: [Range<Int>] = []
        table.data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            for rec in table.records.prefix(5_000) {
                CSVTable.split(b, rec.start, rec.end, delimiter: table.dialect.delimiter, into: &fields)
                for c in [cols.createdAt, cols.resolvedAt, cols.updatedAt] where c >= 0 && c < fields.count {
                    let s = CSVTable.string(b, fields[c])
                    if s.contains("/") { samples.append(s) }
                }
            }
        }
        let field = cols.name("created_at", cols.createdAt)
        switch DateParser.sniffSlashOrder(samples) {
        case .noSlashDates, .dayFirst: return .automatic(timeZone: tz, slashMonthFirst: false)
        case .monthFirst: return .automatic(timeZone: tz, slashMonthFirst: true)
        case .undecided:
            throw ImportError(file: file, location: "field '\(field)'",
                              message: "dates like '\(samples.first ?? "")' could be day/month or month/day: say which with --date-format '%d/%m/%Y %H:%M' or --date-format '%m/%d/%Y %H:%M'")
        case .contradictory:
            throw ImportError(file: file, location: "field '\(field)'",
                              message: "slash dates are written both day first and month first: give --date-format")
        }
    }

    /// Category codes are lower-case ASCII words joined by '-': "Kar Temizliği" → "kar-temizligi",
    /// "Pothole Repair (Internal)" → "pothole-repair-internal".
    public static func categoryCode(_ s: String) -> String {
        var plain = true
        for b in s.utf8 where !((b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D) { plain = false; break }
        if plain { return s }
        return TurkishText.foldKey(s)
            .split(whereSeparator: { !(($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9")) || !$0.isASCII })
            .joined(separator: "-")
    }
}
