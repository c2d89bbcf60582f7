import XCTest
#if canImport(Population)
import Population
#else
import GeoIndex
#endif

/// TÜİK's all-Türkiye register joined to the real mahalle polygons of five cities (`../shared/data/tr-mahalle`),
/// checked against the data curator's reference join.
final class PopulationRealDataTests: XCTestCase {
    /// Matched/total of the reference join (`mahalle_population_join.csv`), from PROVENANCE.md.
    private static let reference: [(city: String, matched: Int, total: Int)] = [
        ("kahramanmaras", 240, 241), ("kayseri", 172, 184), ("inegol", 116, 118), ("samsun", 115, 118), ("izmir-center", 254, 257),
    ]

    func testKahramanmaras() throws { try check(city: "kahramanmaras") }
    func testKayseri() throws { try check(city: "kayseri") }
    func testInegol() throws { try check(city: "inegol") }
    func testSamsun() throws { try check(city: "samsun") }
    func testIzmirCenter() throws { try check(city: "izmir-center") }

    func testRawFileReadsQuickly() throws {
        guard let dir = try Self.dataDirectory() else { return }
        let start = Date()
        let t = try PopulationTable.read(path: dir.appendingPathComponent("tuik_adnks_mahalle_nufus_raw.csv").path)
        let seconds = Date().timeIntervalSince(start)
        print("[population] read the raw TÜİK file (\(t.entries.count) rows) in \(String(format: "%.3f", seconds)) s")
        XCTAssertEqual(t.format, .tuikMEDAS)
        XCTAssertEqual(t.entries.count, 32_186)
        XCTAssertEqual(t.entries.first, .init(province: "Adana", district: "Aladağ", municipality: "Aladağ Bel.",
                                              mahalle: "Akören Mah.", code: "176887", population: 980, line: 1))
        XCTAssertEqual(t.entries.last?.line, 32_186)
        // A generous bound: the machine may be busy; a regression to per-line regexes would still trip it.
        XCTAssertLessThan(seconds, 3)
    }

    // MARK: -

    private func check(city: String) throws {
        guard let dir = try Self.dataDirectory(), let ref = Self.reference.first(where: { $0.city == city }) else { return }
        let cityDir = dir.appendingPathComponent(city)
        let (polygons, quarterIDs) = try Self.polygons(cityDir)
        let expected = try Self.referenceJoin(cityDir.appendingPathComponent("mahalle_population_join.csv"))
        XCTAssertEqual(polygons.count, ref.total)
        XCTAssertEqual(expected.values.filter { $0 != nil }.count, ref.matched, "reference join of \(city)")

        let raw = try Self.rawTable(dir)
        let join = try PopulationJoin(polygons: polygons, table: raw)
        XCTAssertGreaterThanOrEqual(join.matchedCount, ref.matched, city)
        for (i, q) in quarterIDs.enumerated() {
            guard let reference = expected[q], let population = reference else { continue }
            XCTAssertEqual(join.populations[i], population, "\(city) quarterId \(q) '\(polygons[i].name)': \(join.unmatchedPolygons.first { $0.polygon.location == polygons[i].location }?.reason ?? "")")
        }

        // The per-city CSV (the same rows split into columns) must give the same join.
        let perCity = try PopulationTable.read(path: cityDir.appendingPathComponent("tuik_adnks_2023_mahalle_nufus.csv").path)
        XCTAssertEqual(perCity.format, .districtMahalle)
        let csvJoin = try PopulationJoin(polygons: polygons, table: perCity)
        XCTAssertEqual(csvJoin.populations, join.populations, city)
        XCTAssertEqual(csvJoin.matches, join.matches, city)
        XCTAssertEqual(csvJoin.rows.map { $0?.code }, join.rows.map { $0?.code }, city)
        XCTAssertEqual(csvJoin.unmatchedRows.map(\.code), join.unmatchedRows.map(\.code), city)
        XCTAssertEqual(csvJoin.unmatchedPolygons.map(\.polygon.location), join.unmatchedPolygons.map(\.polygon.location), city)

        var report = "[population] \(city): \(join.matchedCount)/\(polygons.count) matched (reference \(ref.matched)/\(ref.total))\n"
        for (i, q) in quarterIDs.enumerated() where expected[q] == .some(nil) {
            if let row = join.rows[i] {
                report += "  + \(q) '\(polygons[i].name)' (\(polygons[i].district)) → '\(row.mahalle ?? "")' code \(row.code ?? "") = \(row.population)\n"
            }
        }
        for u in join.unmatchedPolygons { report += "  - \(u.polygon.location) '\(u.polygon.name)' (\(u.polygon.district)): \(u.reason)\n" }
        report += "  rows left: " + join.unmatchedRows.map { "\($0.district ?? "")/\($0.mahalle ?? "") \($0.population)" }.joined(separator: ", ")
        print(report)
    }

    // MARK: Data

    private static var rawCache: PopulationTable?

    private static func rawTable(_ dir: URL) throws -> PopulationTable {
        if let rawCache { return rawCache }
        let t = try PopulationTable.read(path: dir.appendingPathComponent("tuik_adnks_mahalle_nufus_raw.csv").path)
        rawCache = t
        return t
    }

    /// `<root>/../shared/data/tr-mahalle`, the repository root being the nearest folder above this file with a
    /// Package.swift; then `/work/shared/data/tr-mahalle`. Absent: a failure under CI=true, else a skip.
    private static func dataDirectory() throws -> URL? {
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                candidates.append(dir.deletingLastPathComponent().appendingPathComponent("shared/data/tr-mahalle"))
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/work/shared/data/tr-mahalle"))
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("tuik_adnks_mahalle_nufus_raw.csv").path) {
            return c
        }
        let message = "real data not found in \(candidates.map(\.path).joined(separator: " or ")) (see ../shared/data/README.md)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(message)
            return nil
        }
        throw XCTSkip(message)
    }

    /// The city's mahalle polygons, their district names looked up from ilce.geojson by `townId`.
    private static func polygons(_ cityDir: URL) throws -> ([PopulationJoin.Polygon], [Int]) {
        var districts: [Int: String] = [:]
        for f in try features(cityDir.appendingPathComponent("ilce.geojson")) {
            guard let p = f["properties"] as? [String: Any], let name = p["name"] as? String,
                  let id = (p["townId"] as? NSNumber) ?? (p["id"] as? NSNumber) else { continue }
            districts[id.intValue] = name
        }
        var polygons: [PopulationJoin.Polygon] = []
        var ids: [Int] = []
        for (i, f) in try features(cityDir.appendingPathComponent("mahalle.geojson")).enumerated() {
            let p = f["properties"] as? [String: Any] ?? [:]
            let town = (p["townId"] as? NSNumber)?.intValue ?? -1
            polygons.append(.init(name: p["name"] as? String ?? "", district: districts[town] ?? "",
                                  location: "feature \(i + 1)"))
            ids.append((p["quarterId"] as? NSNumber)?.intValue ?? -1)
        }
        return (polygons, ids)
    }

    private static func features(_ url: URL) throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let fc = json as? [String: Any], let features = fc["features"] as? [[String: Any]] else {
            throw NSError(domain: "PopulationRealDataTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(url.path): not a FeatureCollection"])
        }
        return features
    }

    /// quarterId → the reference's population (nil: the reference left the polygon unmatched).
    private static func referenceJoin(_ url: URL) throws -> [Int: Int?] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let q = header.firstIndex(of: "quarterId"), let pop = header.firstIndex(of: "population"),
              let match = header.firstIndex(of: "match") else { return [:] }
        lines.removeFirst()
        var out: [Int: Int?] = [:]
        for f in lines where f.count == header.count {
            guard let id = Int(f[q]) else { continue }
            out[id] = f[match] == "none" ? .some(nil) : .some(Int(f[pop]))
        }
        return out
    }
}
