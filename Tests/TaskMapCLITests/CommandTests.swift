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
