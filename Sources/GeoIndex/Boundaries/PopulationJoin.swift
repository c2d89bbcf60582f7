import Foundation

/// Gives each mahalle polygon its population from a `PopulationTable`.
///
/// A polygon and a row are joined by code when both have one (TÜİK codes are unique in Türkiye), otherwise by
/// district and name keys (`MahalleName`). Code matches are made first, for all polygons, so a loose name match
/// can never take a row that another polygon names by code. Only rows of the polygons' districts take part —
/// TÜİK's file covers all 81 provinces — and a row is given to at most one polygon: when two polygons want the
/// same row, the first in input order gets it and the other is reported, because splitting one mahalle's
/// population between two polygons, or counting it twice, would silently distort every per-1,000 rate.
/// Nothing is guessed: a polygon that cannot be joined with certainty is left without a population, with a
/// reason a GIS team can act on (renamed mahalle, OSB without residents, duplicate names).
public struct PopulationJoin: Sendable {
    public struct Polygon: Sendable {
        public var name: String
        public var district: String
        /// A TÜİK mahalle code, when the boundary file carries one.
        public var code: String?
        /// Where the polygon is in its file, for messages: "feature 12".
        public var location: String

        public init(name: String, district: String, code: String? = nil, location: String) {
            self.name = name; self.district = district; self.code = code; self.location = location
        }
    }

    public enum Match: Sendable, Equatable { case code, name }

    public struct Unmatched: Sendable {
        public var polygon: Polygon
        /// Why: "no TÜİK row named 'Organize Sanayi Bölgesi' in Onikişubat", "district 'X' has no rows …".
        public var reason: String

        public init(polygon: Polygon, reason: String) { self.polygon = polygon; self.reason = reason }
    }

    /// Per polygon, in input order.
    public var populations: [Int?]
    /// How each polygon was matched (nil: unmatched).
    public var matches: [Match?]
    /// The row each polygon took, for its TÜİK code and name (nil: unmatched).
    public var rows: [PopulationTable.Entry?]
    /// In input order.
    public var unmatchedPolygons: [Unmatched]
    /// Rows of the polygons' districts that no polygon took, in file order: mahalle missing from the boundary
    /// file, or named differently there. (Rows of a `code,population` file name no district, so they are
    /// never listed here.)
    public var unmatchedRows: [PopulationTable.Entry]

    public var matchedCount: Int { matches.reduce(0) { $1 == nil ? $0 : $0 + 1 } }

    /// - Parameter province: restricts the table to one province (Turkish-folded, so "kahramanmaras" works);
    ///   needed when a district name of the polygons ("Merkez", "Gölbaşı") occurs in more than one province of
    ///   the table. Ignored for a table without a province column.
    /// - Throws: `ImportError` naming the table's file when a district is ambiguous across provinces, or when
    ///   `province` has no rows.
    public init(polygons: [Polygon], table: PopulationTable, province: String? = nil) throws {
        var m = Matcher(polygons: polygons, table: table)
        try m.selectRows(province: province)
        m.matchByCode()
        m.matchByName(province: province)
        populations = m.taken.map { $0.map { table.entries[$0].population } }
        matches = m.how
        rows = m.taken.map { $0.map { table.entries[$0] } }
        unmatchedPolygons = polygons.indices.compactMap { i in
            m.reasons[i].map { Unmatched(polygon: polygons[i], reason: $0) }
        }
        unmatchedRows = m.unmatchedRows()
    }
}

extension PopulationJoin {
    /// The working state of one join.
    fileprivate struct Matcher {
        let polygons: [Polygon]
        let table: PopulationTable
        var entries: [PopulationTable.Entry] { table.entries }

        // Keys are cached per spelling: the table repeats each district and province name hundreds of times,
        // and Turkish folding is the slow part of a join.
        var districtKeyCache: [String: String] = [:]
        var polygonDistrict: [String] = []
        /// Rows taking part, in file order.
        var selected: [Int] = []
        /// District key of each selected row that names a district.
        var rowDistrict: [Int: String] = [:]
        var rowName: [Int: String] = [:]
        var byCode: [String: [Int]] = [:]
        var byName: [String: [Int]] = [:]
        var rowsInDistrict: [String: Int] = [:]
        /// Row index taken by each polygon, and the polygon that took each row.
        var taken: [Int?]
        var takenBy: [Int: Int] = [:]
        var how: [Match?]
        var reasons: [String?]

        init(polygons: [Polygon], table: PopulationTable) {
            self.polygons = polygons
            self.table = table
            taken = Array(repeating: nil, count: polygons.count)
            how = Array(repeating: nil, count: polygons.count)
            reasons = Array(repeating: nil, count: polygons.count)
        }

        mutating func districtKey(_ s: String) -> String {
            if let k = districtKeyCache[s] { return k }
            let k = MahalleName.districtKey(s)
            districtKeyCache[s] = k
            return k
        }

        /// Keeps the rows of the polygons' districts (and of `province`), and refuses to go on when a district
        /// name is ambiguous across provinces: joining "Merkez" polygons to the Merkez rows of 51 provinces would
        /// match names at random.
        mutating func selectRows(province: String?) throws {
            polygonDistrict = polygons.map { districtKey($0.district) }
            let wanted = Set(polygonDistrict.filter { !$0.isEmpty })
            let provinceKey = province.map { districtKey($0) }.flatMap { $0.isEmpty ? nil : $0 }
            var provincesOf: [String: [String: String]] = [:]
            var tableHasProvinces = false, provinceFound = false
            for (i, e) in entries.enumerated() {
                if let pk = provinceKey, let p = e.province {
                    tableHasProvinces = true
                    guard districtKey(p) == pk else { continue }
                    provinceFound = true
                }
                if let d = e.district {
                    let k = districtKey(d)
                    guard wanted.contains(k) else { continue }
                    rowDistrict[i] = k
                    if let p = e.province { provincesOf[k, default: [:]][districtKey(p)] = p }
                }
                selected.append(i)
            }
            if let province, tableHasProvinces, !provinceFound {
                throw ImportError(file: table.file, message: "no rows of province '\(province)' in the population file")
            }
            if provinceKey == nil {
                var seen = Set<String>()
                var clashes: [String] = []
                for (i, k) in polygonDistrict.enumerated() where !k.isEmpty && seen.insert(k).inserted {
                    guard let ps = provincesOf[k], ps.count > 1 else { continue }
                    clashes.append("district '\(polygons[i].district)' is in more than one province in the population file "
                                   + "(\(TurkishText.sorted(Array(ps.values)).joined(separator: ", ")))")
                }
                if !clashes.isEmpty {
                    throw ImportError(file: table.file, message: clashes.joined(separator: "; ") + "; --province NAME chooses")
                }
            }
            for i in selected {
                let e = entries[i]
                if let c = e.code.map(Self.codeKey), !c.isEmpty { byCode[c, default: []].append(i) }
                guard let k = rowDistrict[i] else { continue }
                rowsInDistrict[k, default: 0] += 1
                if let m = e.mahalle {
                    let n = MahalleName.key(m)
                    rowName[i] = n
                    byName[k + "\u{0}" + n, default: []].append(i)
                }
            }
        }

        /// Codes compare as written, except that leading zeros of an all-digit code do not count
        /// (spreadsheets drop them).
        static func codeKey(_ code: String) -> String {
            let t = code.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return t }
            let stripped = t.drop(while: { $0 == "0" })
            return stripped.isEmpty ? "0" : String(stripped)
        }

        mutating func take(_ row: Int, for polygon: Int, by match: Match) {
            taken[polygon] = row
            takenBy[row] = polygon
            how[polygon] = match
        }

        func describe(_ row: Int) -> String {
            let e = entries[row]
            var parts: [String] = []
            if let m = e.municipality { parts.append(m) }
            if let c = e.code { parts.append("code \(c)") }
            parts.append("line \(e.line)")
            return "'\(e.mahalle ?? e.code ?? "?")' (\(parts.joined(separator: ", ")))"
        }

        func alreadyTaken(_ row: Int) -> String? {
            guard let j = takenBy[row] else { return nil }
            return "the TÜİK row \(describe(row)) is already joined to \(polygons[j].location) ('\(polygons[j].name)')"
        }

        mutating func matchByCode() {
            for (i, p) in polygons.enumerated() {
                guard let c = p.code.map(Self.codeKey), !c.isEmpty, let rows = byCode[c] else { continue }
                if rows.count > 1 {
                    reasons[i] = "\(rows.count) rows have code '\(c)': " + rows.map { describe($0) }.joined(separator: ", ")
                } else if let why = alreadyTaken(rows[0]) {
                    reasons[i] = why
                } else {
                    take(rows[0], for: i, by: .code)
                }
            }
        }

        mutating func matchByName(province: String?) {
            var notFound: [Int] = []
            for (i, p) in polygons.enumerated() where how[i] == nil && reasons[i] == nil {
                let code = p.code.map(Self.codeKey).flatMap { $0.isEmpty ? nil : $0 }
                let dk = polygonDistrict[i]
                if table.format == .code {
                    reasons[i] = code.map { "no row with code '\($0)' in the population file" }
                        ?? "the population file has codes only and the polygon has no code"
                    continue
                }
                if dk.isEmpty { reasons[i] = "the polygon has no district name"; continue }
                if rowsInDistrict[dk] == nil {
                    reasons[i] = "district '\(p.district)' has no rows in the population file"
                        + (province.map { " (province '\($0)')" } ?? "")
                    continue
                }
                let nk = MahalleName.key(p.name)
                if nk.isEmpty { reasons[i] = "the polygon has no name"; continue }
                var candidates = byName[dk + "\u{0}" + nk] ?? []
                // Where both sides have a code the codes decide (they differ here: no row has this code).
                var otherCodes: [Int] = []
                if code != nil {
                    otherCodes = candidates.filter { entries[$0].code != nil }
                    candidates = candidates.filter { entries[$0].code == nil }
                }
                if candidates.count > 1 {
                    // The same name in the district's own municipality and in a belde municipality: the
                    // district's own is the mahalle a city's boundary file means.
                    let own = candidates.filter { ownMunicipality(entries[$0], district: dk) }
                    if own.count == 1 { candidates = own }
                }
                switch candidates.count {
                case 0:
                    if let code, !otherCodes.isEmpty {
                        reasons[i] = "no TÜİK row has code '\(code)'; the row named like it in \(p.district) has another: "
                            + otherCodes.map { describe($0) }.joined(separator: ", ")
                    } else {
                        notFound.append(i)
                    }
                case 1:
                    if let why = alreadyTaken(candidates[0]) { reasons[i] = why } else { take(candidates[0], for: i, by: .name) }
                default:
                    reasons[i] = "\(candidates.count) TÜİK rows named like '\(p.name)' in \(p.district), cannot tell which: "
                        + candidates.map { describe($0) }.joined(separator: ", ")
                }
            }
            // Suggestions are made once every match is known, so they only name rows still free.
            for i in notFound {
                let p = polygons[i]
                var reason = "no TÜİK row named '\(p.name)' in \(p.district)"
                if let c = p.code.map(Self.codeKey), !c.isEmpty { reason = "no TÜİK row with code '\(c)' or named '\(p.name)' in \(p.district)" }
                let similar = similarFreeRows(to: MahalleName.key(p.name), district: polygonDistrict[i])
                if !similar.isEmpty { reason += "; similar unjoined rows: " + similar.map { describe($0) }.joined(separator: ", ") }
                reasons[i] = reason
            }
        }

        mutating func ownMunicipality(_ e: PopulationTable.Entry, district: String) -> Bool {
            guard let m = e.municipality else { return false }
            let mk = districtKey(m)
            if mk == district { return true }
            // Some central districts' municipality carries the province's name ("Merkez" → "Bolu Bel.").
            if district == "merkez", let p = e.province { return mk == districtKey(p) }
            return false
        }

        /// Up to three free rows of the district whose key is within two edits of `key`, or contains it (or is
        /// contained in it): renamed or respelt mahalle ("Danişmend Gazi" / "Danişmentgazi", "Sümer" /
        /// "Sümer Yeni"). Only shown in the reason, never matched.
        func similarFreeRows(to key: String, district: String) -> [Int] {
            let a = Array(key.utf8)
            guard a.count >= 4 else { return [] }
            var scored: [(distance: Int, row: Int)] = []
            for i in selected where rowDistrict[i] == district && takenBy[i] == nil {
                guard let name = rowName[i], !name.isEmpty else { continue }
                let b = Array(name.utf8)
                let d = Self.editDistance(a, b, limit: 2)
                if d <= 2 {
                    scored.append((d, i))
                } else if b.count >= 4, name.contains(key) || key.contains(name) {
                    scored.append((3, i))
                }
            }
            return scored.sorted { ($0.distance, $0.row) < ($1.distance, $1.row) }.prefix(3).map(\.row)
        }

        /// Levenshtein distance, or `limit + 1` once it is certainly above `limit`.
        static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
            if abs(a.count - b.count) > limit { return limit + 1 }
            var previous = Array(0...b.count)
            var current = Array(repeating: 0, count: b.count + 1)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                current[0] = i
                var rowMin = current[0]
                for j in stride(from: 1, through: b.count, by: 1) {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    rowMin = min(rowMin, current[j])
                }
                if rowMin > limit { return limit + 1 }
                swap(&previous, &current)
            }
            return a.isEmpty ? b.count : previous[b.count]
        }

        func unmatchedRows() -> [PopulationTable.Entry] {
            selected.compactMap { i in rowDistrict[i] != nil && takenBy[i] == nil ? entries[i] : nil }
        }
    }
}
