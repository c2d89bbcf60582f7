import Foundation
import GeoIndex
import XCTest

/// The real data in `../shared/data`, taken as a new user takes it: raw mahalle polygons (some invalid), TÜİK's
/// raw population export, and Boston's real 311 export. Every answer is checked against an independent join
/// (`scripts/reference-pip.py`: GEOS through shapely, not taskmap's code). Absent data fails under CI=true.
final class RealDataTests: XCTestCase {
    static let cities: [(folder: String, invalid: Int)] = [
        ("kahramanmaras", 1), ("kayseri", 3), ("inegol", 13), ("samsun", 3), ("izmir-center", 6),
    ]

    var dir: URL!
    override func setUpWithError() throws { dir = try CLI.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// For each Turkish city: `init --make-valid --population <raw TÜİK file>` succeeds, repairs exactly the
    /// invalid polygons, matches at least the reference join's count (and gives the reference's population to every
    /// polygon the reference matched), and 1,500 sample points land in the same mahalle as GEOS says.
    func testTurkishCitiesLoadRepairJoinPopulationAndGeocodeLikeAnIndependentJoin() throws {
        let data = try RealData.directory()
        try RealData.requirePython()
        let tuik = data.appendingPathComponent("tr-mahalle/tuik_adnks_mahalle_nufus_raw.csv").path
        for (city, invalid) in Self.cities {
            let folder = data.appendingPathComponent("tr-mahalle/\(city)")
            let boundaries = folder.appendingPathComponent("mahalle.geojson").path
            let db = dir.appendingPathComponent("\(city).sqlite").path
            let r = try CLI.run(["init", "--db", db, "--boundaries", boundaries, "--district-field", "townId",
                                 "--district-names", folder.appendingPathComponent("ilce.geojson").path,
                                 "--make-valid", "--population", tuik])
            XCTAssertEqual(r.status, 0, "\(city): \(r.err)")
            XCTAssertTrue(r.out.contains("repaired \(invalid) invalid polygon(s) with GEOS"), "\(city): \(r.out)")
            // Without --make-valid the same file stops at its first invalid polygon, naming the flag.
            let plain = try CLI.run(["init", "--db", dir.appendingPathComponent("\(city)-plain.sqlite").path, "--boundaries", boundaries,
                                     "--district-field", "townId", "--district-names", folder.appendingPathComponent("ilce.geojson").path])
            XCTAssertNotEqual(plain.status, 0)
            XCTAssertTrue(plain.err.contains("invalid polygon") && plain.err.contains("--make-valid"), plain.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(city)-plain.sqlite").path))

            // The population join, against the reference join shipped with the data.
            let reference = try RealData.csvRows(folder.appendingPathComponent("mahalle_population_join.csv"))
            let refMatched = reference.filter { $0["match"] != "none" }
            let matched = try XCTUnwrap(Int(RealData.capture(#"matched (\d+) of"#, in: r.out) ?? ""), r.out)
            XCTAssertGreaterThanOrEqual(matched, refMatched.count, city)
            let store = try SpatiaLiteStore(path: db)
            let mahalle = try store.mahalleList()
            XCTAssertEqual(mahalle.count, reference.count)
            var populationByName: [String: Int] = [:]
            for m in mahalle { populationByName[m.districtName + "/" + m.name] = m.population }
            for row in refMatched {
                let key = row["ilce"]! + "/" + row["polygon_name"]!
                XCTAssertEqual(populationByName[key], Int(row["population"]!), "\(city): \(key)")
            }

            // 1,500 points: the store's geocoder (through `taskmap import`) against GEOS.
            let sample = dir.appendingPathComponent("\(city)-sample.csv")
            try RealData.python(["scripts/reference-pip.py", "sample", boundaries, "1500", "7", sample.path])
            let points = try RealData.csvRows(sample)
            var csv = "id,lon,lat,category,created_at\n"
            for (i, p) in points.enumerated() { csv += "p\(i),\(p["lon"]!),\(p["lat"]!),yol,2024-03-05T10:00:00+03:00\n" }
            let input = dir.appendingPathComponent("\(city)-points.csv")
            try csv.write(to: input, atomically: true, encoding: .utf8)
            let imp = try CLI.run(["import", "--db", db, input.path])
            XCTAssertEqual(imp.status, 0, imp.err)
            let features = try RealData.featureNames(boundaries, district: "townId",
                                                     districtNames: folder.appendingPathComponent("ilce.geojson").path)
            let ours = try RealData.mahalleByRef(db, withDistrict: true)
            var inside = 0
            for (i, p) in points.enumerated() {
                let expected = Set((p["expected"] ?? "").split(separator: "|").map { features[Int($0)! - 1] })
                let got = ours["p\(i)"] ?? nil
                if expected.isEmpty { XCTAssertNil(got, "\(city): point \(i) \(p)") } else {
                    inside += 1
                    XCTAssertTrue(got.map(expected.contains) ?? false, "\(city): point \(i) \(p): taskmap says \(got ?? "none"), GEOS \(expected)")
                }
            }
            XCTAssertGreaterThan(inside, 1000, city)
        }
    }

    /// Boston's 29 files in one command line (`--columns`, `--date-format`, `--timezone`, `--values`): every row
    /// imported, each in the neighbourhood GEOS puts it in (rows within 1e-9° of a border may go to either side),
    /// the 182 closings before their opening kept with the time dropped, and the stack of 6,440 default geocodes
    /// at City Hall found by `taskmap info --quality` over the whole store.
    func testBoston311ImportsWithOneCommandAndMatchesAnIndependentJoin() throws {
        let data = try RealData.directory()
        try RealData.requirePython()
        let boston = data.appendingPathComponent("boston311")
        let polygons = boston.appendingPathComponent("neighborhoods.geojson").path
        let db = dir.appendingPathComponent("boston.sqlite").path
        let files = try FileManager.default.contentsOfDirectory(atPath: boston.appendingPathComponent("requests").path)
            .filter { $0.hasSuffix(".csv") }.sorted().map { boston.appendingPathComponent("requests/\($0)").path }
        XCTAssertEqual(files.count, 29)
        let i = try CLI.run(["init", "--db", db, "--boundaries", polygons, "--district", "Boston", "--make-valid"])
        XCTAssertEqual(i.status, 0, i.err)
        XCTAssertTrue(i.out.contains("repaired 4 invalid polygon(s)"), i.out)
        let r = try CLI.run(["import", "--db", db] + files + [
            "--columns", "category=TYPE,created_at=OPEN_DT,resolved_at=CLOSED_DT,status=CASE_STATUS,channel=Source,id=CASE_ENQUIRY_ID,lat=LATITUDE,lon=LONGITUDE",
            "--date-format", "%m/%d/%Y %I:%M:%S %p", "--timezone", "America/New_York",
            "--values", "channel:Constituent Call=phone,channel:Citizens Connect App=mobile,channel:Self Service=web,channel:Twitter=social"])
        XCTAssertEqual(r.status, 0, r.err)
        let imported = RealData.all(#"imported (\d+) of (\d+) rows"#, in: r.out)
        XCTAssertEqual(imported.count, 29)
        XCTAssertEqual(imported.reduce(0) { $0 + $1[0] }, 81_699)
        XCTAssertEqual(imported.reduce(0) { $0 + $1[1] }, 81_699)
        let dropped = RealData.all(#"closing/update times before the opening, dropped \(row kept\): (\d+)"#, in: r.out)
        XCTAssertEqual(dropped.reduce(0) { $0 + $1[0] }, 182)
        XCTAssertTrue(r.out.contains("channel 'Employee Generated'"), "unknown channels reported")

        // Each row against GEOS, by case id.
        let refOut = try RealData.python(["scripts/reference-pip.py", "assign", polygons, "--name-field", "name",
                                          "--lon", "LONGITUDE", "--lat", "LATITUDE", "--id", "CASE_ENQUIRY_ID"] + files)
        let reference = RealData.csvRows(text: refOut)
        XCTAssertEqual(reference.count, 81_699)
        let ours = try RealData.mahalleByRef(db)
        var border = 0
        var counts: [String: Int] = [:], refCounts: [String: Int] = [:]
        for row in reference {
            let id = row["id"]!
            let expected = row["expected"]!.isEmpty ? nil : row["expected"]!
            let near = Set(row["near"]!.split(separator: "|").map(String.init))
            guard let entry = ours.index(forKey: id) else { XCTFail("case \(id) not in the store"); continue }
            let got = ours[entry].value
            counts[got ?? "", default: 0] += 1
            refCounts[expected ?? "", default: 0] += 1
            if near.isEmpty { XCTAssertEqual(got, expected, "case \(id)") } else {
                border += 1
                XCTAssertTrue(got.map { near.contains($0) || $0 == expected } ?? (expected == nil), "case \(id): \(got ?? "none") vs \(near)")
            }
        }
        XCTAssertLessThan(border, 50, "rows on a border")
        XCTAssertEqual(counts[""], refCounts[""], "outside every neighbourhood")
        for (name, n) in refCounts where name != "" {
            XCTAssertLessThanOrEqual(abs((counts[name] ?? 0) - n), border, name)
        }
        print("Boston: \(reference.count) rows, \(border) within 1e-9° of a border; Downtown \(counts["Downtown"] ?? 0) vs GEOS \(refCounts["Downtown"] ?? 0)")

        // The store-wide report sees the one stack the 29 files share.
        let q = try CLI.run(["info", "--db", db, "--quality"])
        XCTAssertEqual(q.status, 0, q.err)
        XCTAssertTrue(q.out.contains("42.359400, -71.058700: 6440 rows"), q.out)
        // Flag it: heat maps and hot spots leave it out, counts keep it.
        let x = try CLI.run(["info", "--db", db, "--quality", "--exclude-stacks"])
        XCTAssertEqual(x.status, 0, x.err)
        XCTAssertTrue(x.out.contains("6440 rows flagged"), x.out)
        let store = try SpatiaLiteStore(path: db)
        let snap = try store.loadSnapshot()
        XCTAssertTrue(snap.hasStackExcluded)
        var flagged = 0
        snap.forEach(filter: CompiledFilter()) { if $0.flags & CompactComplaint.stackExcluded != 0 { flagged += 1 } }
        XCTAssertEqual(flagged, 6440)
        XCTAssertEqual(snap.count, 81_699)
    }
}

/// Finding and reading `../shared/data`, and running the reference scripts.
enum RealData {
    static func directory() throws -> URL {
        let d = CLI.repo.deletingLastPathComponent().appendingPathComponent("shared/data")
        if FileManager.default.fileExists(atPath: d.appendingPathComponent("README.md").path) { return d }
        let msg = "real data not found at \(d.path) (see ../shared/data/README.md)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(msg); throw XCTSkip(msg) }
        throw XCTSkip(msg)
    }

    static let python3 = "/usr/bin/python3"

    static func requirePython() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python3)
        p.arguments = ["-c", "import shapely, openpyxl"]
        p.standardError = FileHandle.nullDevice
        do { try p.run(); p.waitUntilExit() } catch {}
        if p.terminationStatus == 0 && p.terminationReason == .exit { return }
        let msg = "Debian's python3-shapely and python3-openpyxl are needed (scripts/install-deps installs them)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(msg) }
        throw XCTSkip(msg)
    }

    @discardableResult
    static func python(_ args: [String]) throws -> String {
        let r = try CLI.run(URL(fileURLWithPath: python3), args)
        guard r.status == 0 else {
            throw NSError(domain: "python", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: "\(args.joined(separator: " ")): \(r.err)"])
        }
        return r.out
    }

    /// A plain CSV (no quoted delimiters in these files) as dictionaries by header.
    static func csvRows(_ url: URL) throws -> [[String: String]] {
        csvRows(text: try String(contentsOf: url, encoding: .utf8))
    }

    static func csvRows(text: String) -> [[String: String]] {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().replacingOccurrences(of: "\u{FEFF}", with: "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var d: [String: String] = [:]
            for (i, h) in header.enumerated() where i < f.count { d[h] = f[i] }
            return d
        }
    }

    /// "District/Name" of every feature, in file order.
    static func featureNames(_ path: String, district field: String, districtNames: String) throws -> [String] {
        let names = try DistrictNames.read(path: districtNames)
        return try GeoJSONReader.features(path: path).map { f in
            let p = f["properties"] as? [String: Any] ?? [:]
            return (names[GeoJSONReader.text(p[field]) ?? ""] ?? "?") + "/" + (p["name"] as? String ?? "?")
        }
    }

    /// external_ref → "District/Name" (or the mahalle name alone), nil for outside every mahalle.
    static func mahalleByRef(_ db: String, withDistrict: Bool = false) throws -> [String: String?] {
        let store = try SpatiaLiteStore(path: db)
        let single = !withDistrict
        let mahalle = Dictionary(uniqueKeysWithValues: try store.mahalleList().map { ($0.id, $0) })
        var out: [String: String?] = [:]
        for (ref, id) in try store.mahalleOfExternalRefs() {
            // updateValue: assigning nil through the subscript would drop the key, not store "outside".
            out.updateValue(id.flatMap { mahalle[$0] }.map { single ? $0.name : $0.districtName + "/" + $0.name }, forKey: ref)
        }
        return out
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
              let r = Range(m.range(at: 1), in: text) else { return nil }
        return String(text[r])
    }

    /// Every match's groups as integers.
    static func all(_ pattern: String, in text: String) -> [[Int]] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            (1..<m.numberOfRanges).compactMap { Range(m.range(at: $0), in: text).flatMap { Int(text[$0]) } }
        }
    }
}
