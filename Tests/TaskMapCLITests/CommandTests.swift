import Foundation
import XCTest

/// The CLI as people use it: real binary, real files, output and exit status compared.
final class CommandTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try CLI.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func initSample(_ db: String) throws {
        let r = try CLI.run(["init", "--db", db, "--boundaries", "data/sample-parcels/mahalle.geojson",
                             "--parcels", "data/sample-parcels/parcels.geojson", "--categories", "data/sample-parcels/categories.csv"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("34 mahalle in 2 district(s) (Güneyyaka, Kuzeykent), 3739 parcels, 19 categories"), r.out)
    }

    func testInitGenerateImportInfo() throws {
        let db = dir.appendingPathComponent("city.sqlite").path
        try initSample(db)
        let csv = dir.appendingPathComponent("c.csv").path
        let g = try CLI.run(["generate", "--db", db, "--count", "3000", "--out", csv])
        XCTAssertEqual(g.status, 0, g.err)
        XCTAssertTrue(g.out.hasPrefix("wrote 3000 synthetic complaints for 2024"), g.out)
        let i = try CLI.run(["import", "--db", db, csv])
        XCTAssertEqual(i.status, 0, i.err)
        XCTAssertTrue(i.out.hasPrefix("imported 3000 of 3000 rows"), i.out)
        let assigned = Int(i.out.components(separatedBy: "assigned to a mahalle: ")[1].prefix { $0.isNumber }) ?? -1
        XCTAssertGreaterThan(assigned, 2_900)
        let info = try CLI.run(["info", "--db", db, "--check"])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("complaints: 3000"), info.out)
        XCTAssertTrue(info.out.contains("integrity: ok"), info.out)
    }

    func testBadImportNamesFileLineAndFieldAndExitsNonZero() throws {
        let db = dir.appendingPathComponent("city.sqlite").path
        try initSample(db)
        let csv = dir.appendingPathComponent("bad.csv").path
        try "id,lon,lat,category,created_at\n1,36.95,37.58,yol,2024-01-05\n2,36.95,kuzey,yol,2024-01-05\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", "--db", db, csv])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("\(csv): line 3, field 'lat': not a number: 'kuzey'"), r.err)
        XCTAssertTrue(r.err.contains("nothing was imported"), r.err)
        XCTAssertTrue(try CLI.run(["info", "--db", db]).out.contains("complaints: 0"))
    }

    func testUsageErrorsAreClear() throws {
        let r = try CLI.run(["import", "--db", dir.appendingPathComponent("nope.sqlite").path, "x.csv"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("is not a taskmap store"), r.err)
        let r2 = try CLI.run(["render", "--db", "x", "--month", "2024-13", "--out", "o.mbtiles"])
        XCTAssertNotEqual(r2.status, 0)
        XCTAssertTrue(r2.err.contains("--month must be YYYY-MM"), r2.err)
    }
}

/// Batch outputs: MBTiles pyramids, posters and the monthly report, from a small demo store.
final class BatchOutputTests: XCTestCase {
    static var dir: URL!
    static var db: String { dir.appendingPathComponent("demo.sqlite").path }

    override class func setUp() {
        dir = try! CLI.tempDir()
        let r = try! CLI.run(["demo", "--no-serve", "--count", "20000", "--db", db])
        precondition(r.status == 0, r.err)
    }
    override class func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testRenderWritesMBTilesThatMatchDirectTilesAndResumes() throws {
        let out = Self.dir.appendingPathComponent("m.mbtiles").path
        let r = try CLI.run(["render", "--db", Self.db, "--month", "2024-03", "--layers", "heat", "--zoom", "10-12", "--out", out, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        let written = Int(r.out.components(separatedBy: "heat: ")[1].prefix { $0.isNumber }) ?? -1
        XCTAssertGreaterThan(written, 3)
        // Same tile through `taskmap tile`-equivalent path: the XYZ folder output of the same render.
        let dirOut = Self.dir.appendingPathComponent("xyz").path
        XCTAssertEqual(try CLI.run(["render", "--db", Self.db, "--month", "2024-03", "--layers", "heat", "--zoom", "12", "--out", dirOut, "--quiet"]).status, 0)
        let files = try FileManager.default.subpathsOfDirectory(atPath: dirOut).filter { $0.hasSuffix(".png") }
        XCTAssertFalse(files.isEmpty)
        let sqlite = "/usr/bin/sqlite3"
        if FileManager.default.isExecutableFile(atPath: sqlite) {
            for f in files.prefix(5) {
                let p = f.dropLast(4).split(separator: "/").compactMap { Int($0) }  // z/x/y
                let tms = (1 << p[0]) - 1 - p[2]
                let q = Process()
                q.executableURL = URL(fileURLWithPath: sqlite)
                q.arguments = [out, "SELECT hex(tile_data) FROM tiles WHERE zoom_level=\(p[0]) AND tile_column=\(p[1]) AND tile_row=\(tms)"]
                let pipe = Pipe(); q.standardOutput = pipe
                try q.run(); q.waitUntilExit()
                let hex = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                let file = try Data(contentsOf: URL(fileURLWithPath: dirOut + "/" + f))
                XCTAssertEqual(hex, file.map { String(format: "%02X", $0) }.joined(), "tile \(f) differs between MBTiles and folder")
            }
            let integrity = try CLI.run(["info", "--db", Self.db])  // store untouched by rendering
            XCTAssertEqual(integrity.status, 0)
        }
        // And the same tile rendered directly by `taskmap tile` has the same bytes.
        if let f = files.first {
            let p = f.dropLast(4).split(separator: "/").compactMap { Int($0) }
            let direct = Self.dir.appendingPathComponent("direct.png").path
            let t = try CLI.run(["tile", "--db", Self.db, "--layer", "heat", "\(p[0])/\(p[1])/\(p[2])", "--month", "2024-03", "--out", direct])
            XCTAssertEqual(t.status, 0, t.err)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: direct)), try Data(contentsOf: URL(fileURLWithPath: dirOut + "/" + f)))
        }
        // A rerun with --resume writes nothing new.
        let again = try CLI.run(["render", "--db", Self.db, "--month", "2024-03", "--layers", "heat", "--zoom", "10-12", "--out", out, "--resume", "--quiet"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("heat: 0 tiles written, \(written) already there"), again.out)
    }

    /// Killing a render part way (SIGKILL: no chance to clean up) leaves an MBTiles file SQLite finds sound,
    /// and `--resume` then completes it.
    func testKilledRenderLeavesAValidFileAndResumeCompletesIt() throws {
        let out = Self.dir.appendingPathComponent("killed.mbtiles").path
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["render", "--db", Self.db, "--months", "2024-01..2024-12", "--layers", "heat,pins", "--zoom", "10-17",
                       "--out", out, "--jobs", "1", "--quiet"]
        p.currentDirectoryURL = CLI.repo
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        usleep(1_500_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).filter { $0.hasPrefix("killed-") && $0.hasSuffix(".mbtiles") }
        XCTAssertFalse(files.isEmpty)
        for f in files {
            let q = Process()
            q.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            q.arguments = [Self.dir.appendingPathComponent(f).path, "PRAGMA integrity_check"]
            let pipe = Pipe(); q.standardOutput = pipe
            try q.run(); q.waitUntilExit()
            XCTAssertEqual(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "ok", f)
        }
        let again = try CLI.run(["render", "--db", Self.db, "--months", "2024-01..2024-02", "--layers", "heat", "--zoom", "10-17",
                                 "--out", out, "--resume", "--quiet"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("2024-01 heat:"), again.out)
    }

    func testPosterAndSelfContainedReport() throws {
        let poster = Self.dir.appendingPathComponent("p.png").path
        let labels = Self.dir.appendingPathComponent("p-labels.json")
        let p = try CLI.run(["poster", "--db", Self.db, "--month", "2024-03", "--out", poster, "--size", "1600x1100",
                             "--labels-out", labels.path])
        XCTAssertEqual(p.status, 0, p.err)
        let placed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: labels)) as? [[String: Any]])
        XCTAssertTrue(p.out.contains("\(placed.count) of 34 names placed"), p.out)
        XCTAssertGreaterThan(placed.count, 20)
        let boxes = placed.map { d in ["x0", "y0", "x1", "y1"].map { d[$0] as? Double ?? -1 } }
        for (i, a) in boxes.enumerated() {
            XCTAssertTrue(a[0] >= 0 && a[1] >= 0 && a[2] <= 1600 && a[3] <= 1100 && a[0] < a[2] && a[1] < a[3], "\(placed[i])")
            for b in boxes[(i + 1)...] { XCTAssertFalse(a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3], "labels overlap") }
        }
        let png = try Data(contentsOf: URL(fileURLWithPath: poster))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let out = Self.dir.appendingPathComponent("report").path
        let r = try CLI.run(["report", "--db", Self.db, "--month", "2024-03", "--out", out, "--poster-dpi", "60"])
        XCTAssertEqual(r.status, 0, r.err)
        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("Hangi mahalle neye ihtiyaç duyuyor"))
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,"))
        // Self-contained: no resource or link leaves the file.
        XCTAssertNil(html.range(of: #"(src|href)\s*=\s*"(https?:|//)"#, options: .regularExpression), "external link in the report")
        for f in ["needs.csv", "ranking.csv", "categories.csv", "channels.csv", "poster.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), f)
        }
        let needs = try String(contentsOfFile: out + "/needs.csv", encoding: .utf8)
        XCTAssertTrue(needs.hasPrefix("district,mahalle,category,count,population,per1000,expected,oe,oe_low,oe_high"))
        // Personal data stays out of the report.
        XCTAssertFalse(html.contains("@example.com"))
    }
}
