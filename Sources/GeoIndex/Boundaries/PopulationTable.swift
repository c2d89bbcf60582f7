import Foundation

/// Mahalle populations read from a file, its format recognised by the shape of its first lines (not by its
/// name): TÜİK's MEDAS export as downloaded, a `district,mahalle,population` CSV, or a `code,population` CSV.
///
/// Every figure must be a non-negative whole number: a population is a count of people, and "3.255" or
/// "3255.5" is far more likely a misread column (or a thousands separator) than a real value, so it stops
/// the import with the file and line rather than being rounded.
public struct PopulationTable: Sendable {
    public enum Format: String, Sendable {
        case tuikMEDAS = "TÜİK MEDAS export"
        case districtMahalle = "district,mahalle,population CSV"
        case code = "code,population CSV"
    }

    /// One population row. `line` is the 1-based line of the file it came from, for messages.
    public struct Entry: Sendable, Equatable {
        public var province: String?
        public var district: String?
        public var municipality: String?
        public var mahalle: String?
        public var code: String?
        public var population: Int
        public var line: Int

        public init(province: String? = nil, district: String? = nil, municipality: String? = nil,
                    mahalle: String? = nil, code: String? = nil, population: Int, line: Int) {
            self.province = province; self.district = district; self.municipality = municipality
            self.mahalle = mahalle; self.code = code; self.population = population; self.line = line
        }
    }

    public var file: String
    public var format: Format
    public var entries: [Entry]

    public static func read(path: String) throws -> PopulationTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImportError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try PopulationTable(data: data, file: path)
    }

    /// Reads `data`; `file` is only used to name the file in errors.
    public init(data: Data, file: String) throws {
        self.file = file
        let bytes = [UInt8](data)
        // One UTF-8 check of the whole file is much cheaper than one per field; only when it fails is the
        // file searched for the line to blame.
        if String(data: data, encoding: .utf8) == nil {
            let bad = Line.split(bytes).first { String(bytes: bytes[$0.range], encoding: .utf8) == nil }
            throw ImportError(file: file, location: bad.map { "line \($0.number)" },
                              message: "not UTF-8 text; save the file as UTF-8 (TÜİK's exports already are)")
        }
        let lines = Line.split(bytes)
        guard let first = lines.first else {
            throw ImportError(file: file, message: "the file is empty. " + Self.formatsHelp)
        }

        // A MEDAS line has a shape no CSV header has, so it is tried first.
        if MEDAS.parse(bytes[first.range], line: first.number).hasShape {
            format = .tuikMEDAS
            entries = try MEDAS.read(bytes, lines[...], file: file)
            return
        }
        if let header = CSV.Header(bytes[first.range]) {
            format = header.format
            entries = try CSV.read(bytes, lines.dropFirst(), header: header, file: file)
            return
        }
        // MEDAS downloads may start with a title line; it is allowed only as the very first line.
        if lines.count > 1, MEDAS.parse(bytes[lines[1].range], line: lines[1].number).hasShape {
            format = .tuikMEDAS
            entries = try MEDAS.read(bytes, lines.dropFirst(), file: file)
            return
        }
        throw ImportError(file: file, message: "the file is in none of the accepted population formats. " + Self.formatsHelp)
    }

    fileprivate static let formatsHelp = """
        Accepted: (1) TÜİK's MEDAS export as downloaded, lines like \
        'Kahramanmaraş(Dulkadiroğlu/Dulkadiroğlu Bel./Aksu Mah.)-52481|3255|'; \
        (2) a CSV with the header 'district,mahalle,population' (or ilçe,mahalle,nüfus; comma or semicolon), \
        rows like 'Dulkadiroğlu,Aksu Mah.,3255'; \
        (3) a CSV with the header 'code,population', rows like '52481,3255'.
        """

    /// A population as written in the file: digits, optionally followed by ".0" (MEDAS writes "3255.0").
    /// Up to two zero decimals are accepted; "3.000" is rejected because in Turkish it means three thousand.
    /// Works on bytes: this runs once per line of a 32,000-line file.
    fileprivate static func population(_ text: Substring, decimalComma: Bool = false) -> Int? {
        population(ArraySlice(text.utf8), decimalComma: decimalComma)
    }

    fileprivate static func population(_ bytes: ArraySlice<UInt8>, decimalComma: Bool = false) -> Int? {
        let b = trimmed(bytes)
        var end = b.endIndex
        if let dot = b.firstIndex(where: { $0 == 0x2E || (decimalComma && $0 == 0x2C) }) {
            let decimals = b[(dot + 1)...]
            guard !decimals.isEmpty, decimals.count <= 2, decimals.allSatisfy({ $0 == 0x30 }) else { return nil }
            end = dot
        }
        let digits = b[b.startIndex..<end]
        guard !digits.isEmpty, digits.count <= 12 else { return nil }
        var n = 0
        for d in digits {
            guard d >= 0x30 && d <= 0x39 else { return nil }
            n = n * 10 + Int(d - 0x30)
        }
        return n
    }

    /// Without leading and trailing spaces and tabs. (Foundation's trimming is far slower per call.)
    fileprivate static func trimmed(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = b.startIndex, hi = b.endIndex
        while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
        while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
        return b[lo..<hi]
    }

    fileprivate static func string(_ b: ArraySlice<UInt8>) -> String {
        String(decoding: trimmed(b), as: UTF8.self)
    }

    fileprivate static func populationError(_ text: Substring) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return "the population is empty" }
        return "population '\(t)' is not a non-negative whole number"
    }
}

// MARK: - Line

extension PopulationTable {
    /// The non-blank lines of a file, as byte ranges without the line break (LF or CRLF) and without the
    /// UTF-8 byte order mark, with their 1-based line numbers.
    fileprivate struct Line {
        var range: Range<Int>
        var number: Int

        static func split(_ bytes: [UInt8]) -> [Line] {
            var out: [Line] = []
            var start = 0
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
            var number = 1
            var i = start
            while i <= bytes.count {
                if i == bytes.count || bytes[i] == 0x0A {
                    var end = i
                    if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                    var blank = true
                    for j in start..<end where bytes[j] != 0x20 && bytes[j] != 0x09 { blank = false; break }
                    if !blank { out.append(Line(range: start..<end, number: number)) }
                    number += 1
                    start = i + 1
                }
                i += 1
            }
            return out
        }
    }
}

// MARK: - TÜİK MEDAS

extension PopulationTable {
    /// TÜİK's MEDAS export: `İl(İlçe/Belediye/Mahalle)-CODE|POP|`. Parsed from the ends inwards because
    /// mahalle names may contain parentheses ("Beşeylül (Merkez) Mah.") and, in principle, slashes.
    fileprivate enum MEDAS {
        enum Parsed {
            case entry(Entry), badPopulation(Substring), notMEDAS
            /// A line with a bad figure still decides the format, so that the figure is reported, not skipped.
            var hasShape: Bool { if case .notMEDAS = self { return false }; return true }
        }

        static let shape = "İl(İlçe/Belediye/Mahalle)-CODE|POPULATION|"

        static func read(_ bytes: [UInt8], _ lines: ArraySlice<Line>, file: String) throws -> [Entry] {
            var entries: [Entry] = []
            entries.reserveCapacity(lines.count)
            for line in lines {
                switch parse(bytes[line.range], line: line.number) {
                case .entry(let e): entries.append(e)
                case .badPopulation(let p):
                    throw ImportError(file: file, location: "line \(line.number)", message: PopulationTable.populationError(p))
                case .notMEDAS:
                    throw ImportError(file: file, location: "line \(line.number)",
                                      message: "not a TÜİK MEDAS line; expected '\(shape)' like the lines before it")
                }
            }
            return entries
        }

        static func parse(_ s: ArraySlice<UInt8>, line: Int) -> Parsed {
            let t = PopulationTable.trimmed(s)
            var lo = t.startIndex, hi = t.endIndex
            // The trailing "|" is what TÜİK writes; tolerate its absence.
            if hi > lo, s[hi - 1] == 0x7C { hi -= 1 }
            guard let bar = s[lo..<hi].lastIndex(of: 0x7C) else { return .notMEDAS }
            guard let dash = s[lo..<bar].lastIndex(of: 0x2D), dash + 1 < bar,
                  s[(dash + 1)..<bar].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  dash > lo, s[dash - 1] == 0x29,
                  let open = s[lo..<dash].firstIndex(of: 0x28) else { return .notMEDAS }
            let inner = s[(open + 1)..<(dash - 1)]
            guard let slash1 = inner.firstIndex(of: 0x2F),
                  let slash2 = inner[(slash1 + 1)...].firstIndex(of: 0x2F) else { return .notMEDAS }
            let province = text(s[lo..<open])
            let district = text(inner[inner.startIndex..<slash1])
            let municipality = text(inner[(slash1 + 1)..<slash2])
            let mahalle = text(inner[(slash2 + 1)...])
            guard !province.isEmpty, !district.isEmpty, !municipality.isEmpty, !mahalle.isEmpty else { return .notMEDAS }
            guard let population = PopulationTable.population(s[(bar + 1)..<hi]) else {
                return .badPopulation(Substring(text(s[(bar + 1)..<hi])))
            }
            return .entry(Entry(province: province, district: district, municipality: municipality, mahalle: mahalle,
                                code: text(s[(dash + 1)..<bar]), population: population, line: line))
        }

        static func text(_ b: ArraySlice<UInt8>) -> String { PopulationTable.string(b) }
    }
}

// MARK: - CSV

extension PopulationTable {
    fileprivate enum CSV {
        struct FieldError: Error { var message: String }

        /// The columns found in a header line. Names are matched after Turkish folding, so "İlçe", "ILCE" and
        /// "ilce" are one column.
        struct Header {
            var separator: UInt8
            var format: Format
            var district: Int?, mahalle: Int?, population: Int
            var province: Int?, municipality: Int?, code: Int?
            var width: Int

            static let aliases: [String: String] = [
                "district": "district", "ilce": "district",
                "mahalle": "mahalle", "neighbourhood": "mahalle", "neighborhood": "mahalle",
                "population": "population", "nufus": "population",
                "province": "province", "il": "province",
                "belediye": "municipality", "municipality": "municipality",
                "code": "code", "tuikcode": "code", "kod": "code", "tuikkodu": "code",
            ]

            init?(_ line: ArraySlice<UInt8>) {
                // The separator is whichever of ";" and "," the header uses more: Turkish Excel writes ";".
                let semicolons = line.reduce(0) { $0 + ($1 == 0x3B ? 1 : 0) }
                let commas = line.reduce(0) { $0 + ($1 == 0x2C ? 1 : 0) }
                guard semicolons + commas > 0 else { return nil }
                separator = semicolons > commas ? 0x3B : 0x2C
                guard case .success(let fields) = CSV.fields(line, separator: separator) else { return nil }
                var columns: [String: Int] = [:]
                for (i, f) in fields.enumerated() {
                    guard let name = Header.aliases[MahalleName.districtKey(f)], columns[name] == nil else { continue }
                    columns[name] = i
                }
                guard let pop = columns["population"] else { return nil }
                population = pop
                province = columns["province"]; municipality = columns["municipality"]; code = columns["code"]
                if let d = columns["district"], let m = columns["mahalle"] {
                    format = .districtMahalle; district = d; mahalle = m
                } else if code != nil {
                    format = .code
                } else {
                    return nil
                }
                width = fields.count
            }
        }

        static func read(_ bytes: [UInt8], _ lines: ArraySlice<Line>, header h: Header, file: String) throws -> [Entry] {
            var entries: [Entry] = []
            entries.reserveCapacity(lines.count)
            let needed = [h.district, h.mahalle, h.code, Optional(h.population)].compactMap { $0 }.max() ?? 0
            for line in lines {
                let at = "line \(line.number)"
                let fields: [String]
                switch CSV.fields(bytes[line.range], separator: h.separator) {
                case .success(let f): fields = f
                case .failure(let error): throw ImportError(file: file, location: at, message: error.message)
                }
                guard fields.count > needed else {
                    throw ImportError(file: file, location: at,
                                      message: "\(fields.count) field(s), the header has \(h.width)")
                }
                func optional(_ i: Int?) -> String? {
                    guard let i, i < fields.count, !fields[i].isEmpty else { return nil }
                    return fields[i]
                }
                let popText = Substring(fields[h.population])
                guard let population = PopulationTable.population(popText, decimalComma: h.separator == 0x3B) else {
                    throw ImportError(file: file, location: at, message: PopulationTable.populationError(popText))
                }
                var e = Entry(province: optional(h.province), municipality: optional(h.municipality),
                              code: optional(h.code), population: population, line: line.number)
                if h.format == .districtMahalle {
                    e.district = optional(h.district)
                    e.mahalle = optional(h.mahalle)
                    guard e.district != nil else { throw ImportError(file: file, location: at, message: "the district is empty") }
                    guard e.mahalle != nil else { throw ImportError(file: file, location: at, message: "the mahalle name is empty") }
                } else if e.code == nil {
                    throw ImportError(file: file, location: at, message: "the code is empty")
                }
                entries.append(e)
            }
            return entries
        }

        /// Splits one line into trimmed fields; double quotes may enclose a field holding the separator, and
        /// "" inside quotes is a quote. (Records spanning lines are not supported: no population file has them.)
        static func fields(_ line: ArraySlice<UInt8>, separator: UInt8) -> Result<[String], FieldError> {
            var fields: [String] = []
            var field: [UInt8] = []
            var inQuotes = false
            var i = line.startIndex
            while i < line.endIndex {
                let b = line[i]
                if inQuotes {
                    if b == 0x22 {
                        if i + 1 < line.endIndex, line[i + 1] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                    } else {
                        field.append(b)
                    }
                } else if b == 0x22 {
                    inQuotes = true
                } else if b == separator {
                    fields.append(PopulationTable.string(field[...]))
                    field.removeAll(keepingCapacity: true)
                } else {
                    field.append(b)
                }
                i += 1
            }
            if inQuotes { return .failure(FieldError(message: "unterminated quoted field")) }
            fields.append(PopulationTable.string(field[...]))
            return .success(fields)
        }
    }
}
