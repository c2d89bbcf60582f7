import Foundation
import XCTest
@testable import GeoIndex

/// Every bad input gets an error naming the file and the line/feature/field, and leaves the store byte-for-byte
/// as it was.
final class BadInputTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// The store file's bytes after closing the connection (which checkpoints the WAL into it).
    func storeBytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    func assertImportFails(_ content: Data, name: String = "in.csv", options: ComplaintImporter.Options = .init(),
                           expect fragments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let sub = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: sub) }
        var s: SpatiaLiteStore? = try Fixtures.store(in: sub)
        // Some existing data that must survive untouched.
        _ = try s!.insert(NewComplaint(externalRef: "keep", location: LonLat(lon: 36.92, lat: 37.57), category: "yol", createdAt: Date()))
        let dbPath = s!.path
        s = nil
        let before = storeBytes(dbPath)
        s = try SpatiaLiteStore(path: dbPath)
        let input = sub.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: input, contents: content)
        XCTAssertThrowsError(try ComplaintImporter(store: s!, options: options).importFile(input), file: file, line: line) { e in
            let msg = "\(e)"
            XCTAssertTrue(msg.contains(input), "error does not name the file: \(msg)", file: file, line: line)
            for f in fragments { XCTAssertTrue(msg.contains(f), "expected '\(f)' in: \(msg)", file: file, line: line) }
        }
        XCTAssertEqual(try s!.complaintCount(), 1, file: file, line: line)
        s = nil
        XCTAssertEqual(storeBytes(dbPath), before, "store changed after a failed import", file: file, line: line)
    }

    func csv(_ s: String) -> Data { Data(s.utf8) }
    let header = "id,lon,lat,category,created_at\n"

    func testMissingCoordinate() throws {
        try assertImportFails(csv(header + "1,36.92,37.57,yol,2024-01-05\n2,,37.57,yol,2024-01-05\n"), expect: ["line 3", "'lon'", "missing coordinate"])
    }
    func testNonNumericCoordinate() throws {
        try assertImportFails(csv(header + "1,36.92,kuzey,yol,2024-01-05\n"), expect: ["line 2", "'lat'", "not a number: 'kuzey'"])
    }
    func testLatitudeOutOfRange() throws {
        try assertImportFails(csv(header + "1,36.92,97.5,yol,2024-01-05\n"), expect: ["line 2", "latitude 97.5 is outside ±90"])
    }
    func testLongitudeOutOfRange() throws {
        try assertImportFails(csv(header + "1,236.92,37.5,yol,2024-01-05\n"), expect: ["line 2", "longitude 236.92 is outside ±180"])
    }
    func testNaN() throws {
        try assertImportFails(csv(header + "1,NaN,37.5,yol,2024-01-05\n"), expect: ["line 2", "NaN or infinite"])
    }
    func testInfinity() throws {
        try assertImportFails(csv(header + "1,36.9,inf,yol,2024-01-05\n"), expect: ["line 2", "NaN or infinite"])
    }
    func testUnknownCRS() throws {
        var o = ComplaintImporter.Options()
        o.srs = "EPSG:999999"
        let sub = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: sub) }
        let s = try Fixtures.store(in: sub)
        let input = try Fixtures.write(header + "1,36.92,37.57,yol,2024-01-05\n", "in.csv", in: sub)
        XCTAssertThrowsError(try ComplaintImporter(store: s, options: o).importFile(input)) { e in
            XCTAssertTrue("\(e)".contains("unknown CRS 'EPSG:999999'"), "\(e)")
        }
        XCTAssertEqual(try s.complaintCount(), 0)
    }
    func testUnparseableDate() throws {
        try assertImportFails(csv(header + "1,36.92,37.57,yol,5 Mart 2024\n"), expect: ["line 2", "created_at", "unparseable date '5 Mart 2024'", "--date-format"])
    }
    func testSlashDatesThatCannotBeToldApart() throws {
        try assertImportFails(csv(header + "1,36.92,37.57,yol,05/03/2024\n"), expect: ["created_at", "day/month or month/day", "--date-format"])
    }
    func testDateFormatThatMatchesNoRow() throws {
        var o = ComplaintImporter.Options()
        o.dateFormats = ["%m/%d/%Y %I:%M:%S %p"]
        try assertImportFails(csv(header + "1,36.92,37.57,yol,2024-03-05 14:30\n2,36.92,37.57,yol,2024-03-06 14:30\n"), options: o,
                              expect: ["line 2", "line 3", "unparseable date '2024-03-05 14:30'", "no --date-format matches: %m/%d/%Y %I:%M:%S %p"])
    }
    func testColumnsNamingAMissingColumn() throws {
        var o = ComplaintImporter.Options()
        o.mapping.columns = ["created_at": "OPEN_DT"]
        try assertImportFails(csv(header + "1,36.92,37.57,yol,2024-01-05\n"), options: o,
                              expect: ["line 1", "--columns created_at=OPEN_DT", "no column 'OPEN_DT' in the header", "header: id, lon, lat, category, created_at"])
    }
    func testImpossibleDate() throws {
        try assertImportFails(csv(header + "1,36.92,37.57,yol,2023-02-29\n"), expect: ["line 2", "unparseable date"])
    }
    func testUnknownCategoryStrict() throws {
        var o = ComplaintImporter.Options()
        o.strictCategories = true
        try assertImportFails(csv(header + "1,36.92,37.57,uzay,2024-01-05\n"), options: o, expect: ["line 2", "unknown category 'uzay'"])
    }
    func testEmptyFile() throws {
        try assertImportFails(Data(), expect: ["empty file"])
    }
    func testHeaderOnly() throws {
        try assertImportFails(csv(header), expect: ["no data rows"])
    }
    func testAmbiguousDelimiter() throws {
        // Both tab and '|' split every line into the same number of fields: the user has to say which.
        try assertImportFails(csv("id\tlon|lat\tcategory|created_at\n1\t36|37\tyol|2024\n"), expect: ["line 1", "ambiguous delimiter", "tab and '|'", "--delimiter"])
    }
    func testDecimalCommaGivesAHint() throws {
        try assertImportFails(csv(header + "1,36,92,37.57,yol,2024-01-05\n"), expect: ["line 2", "has 6 fields", "decimal comma"])
    }
    func testInvalidUTF8WhenUTF8IsSaid() throws {
        var d = Data((header + "1,36.92,37.57,").utf8)
        d.append(contentsOf: [0x79, 0xFF, 0xFE, 0x6C])  // "y\xFF\xFEl"
        d.append(contentsOf: Array(",2024-01-05\n".utf8))
        var o = ComplaintImporter.Options()
        o.encoding = .utf8
        try assertImportFails(d, options: o, expect: ["line 2", "invalid UTF-8 (byte 0xFF)", "--encoding windows-1254"])
    }
    func testNeitherUTF8NorWindows1254() throws {
        var d = Data((header + "1,36.92,37.57,").utf8)
        d.append(contentsOf: [0x79, 0x81, 0x6C])  // 0x81: undefined in code page 1254, and not UTF-8
        d.append(contentsOf: Array(",2024-01-05\n".utf8))
        try assertImportFails(d, expect: ["line 2", "byte 0x81 is neither UTF-8 nor windows-1254", "--encoding"])
    }
    func testUnknownCodedValues() throws {
        let h = "id,lon,lat,category,created_at,status,channel,type\n"
        // Status decides the work flow: an unknown one stops the import and names the flag that maps it.
        try assertImportFails(csv(h + "1,36.92,37.57,yol,2024-01-05,bitti,phone,sikayet\n"),
                              expect: ["line 2", "field 'status'", "unknown status 'bitti' (expected open|assigned|in_progress|resolved|closed|rejected, or map it with --values \"status:bitti=closed\")"])
    }
    func testSatisfactionOutOfRange() throws {
        try assertImportFails(csv("id,lon,lat,category,created_at,satisfaction\n1,36.92,37.57,yol,2024-01-05,7\n"),
                              expect: ["line 2", "field 'satisfaction'", "'7' is not a score from 1 to 5"])
    }
    func testXLSXThatIsNotAWorkbook() throws {
        try assertImportFails(Data([0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 60)), name: "in.xlsx", expect: ["not an .xlsx workbook"])
    }
    func testEncryptedXLSX() throws {
        // Excel writes a password-protected .xlsx as an OLE2 compound file.
        let cfb: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 504)
        try assertImportFails(Data(cfb), name: "in.xlsx", expect: ["encrypted or legacy .xls workbook"])
    }
    func testMappedColumnErrorsNameTheSourceColumn() throws {
        var o = ComplaintImporter.Options()
        o.mapping.columns = ["created_at": "OPEN_DT", "lon": "X_KOORD", "lat": "Y_KOORD", "category": "TUR"]
        try assertImportFails(csv("TUR,OPEN_DT,X_KOORD,Y_KOORD\nyol,dün,36.92,37.57\n"), options: o,
                              expect: ["line 2", "field 'OPEN_DT'", "unparseable date 'dün'"])
    }
    func testMissingRequiredColumn() throws {
        try assertImportFails(csv("id,lon,lat,created_at\n1,36.92,37.57,2024-01-05\n"), expect: ["line 1", "missing column 'category'"])
    }
    func testUnterminatedQuote() throws {
        try assertImportFails(csv(header + "1,36.92,37.57,\"yol,2024-01-05\n"), expect: ["line 2", "unterminated quoted field"])
    }
    func testDuplicateIdInFile() throws {
        try assertImportFails(csv(header + "7,36.92,37.57,yol,2024-01-05\n7,36.93,37.57,yol,2024-01-05\n"), expect: ["line 3", "duplicate id '7' (first on line 2)"])
    }
    func testIdAlreadyInStore() throws {
        try assertImportFails(csv(header + "keep,36.92,37.57,yol,2024-01-05\n"), expect: ["line 2", "'keep' is already in the store"])
    }
    func testGeoJSONNotAFeatureCollection() throws {
        try assertImportFails(csv("{\"type\":\"Feature\",\"geometry\":null}"), name: "in.geojson", expect: ["not a GeoJSON FeatureCollection"])
    }
    func testGeoJSONPointWithBadCoordinates() throws {
        let gj = """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"category":"yol","created_at":"2024-01-01"},
        "geometry":{"type":"Point","coordinates":[36.9,137.5]}}]}
        """
        try assertImportFails(csv(gj), name: "in.geojson", expect: ["line 1", "latitude 137.5"])
    }
    func testErrorListIsCappedAndCounted() throws {
        var text = header
        for i in 0..<30 { text += "\(i),x,37.5,yol,2024-01-01\n" }
        try assertImportFails(csv(text), expect: ["line 2", "line 21", "… and 10 more invalid rows", "nothing was imported"])
    }

    // MARK: boundaries

    func boundaryError(_ geojson: String) throws -> String {
        let sub = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: sub) }
        let p = try Fixtures.write(geojson, "b.geojson", in: sub)
        do {
            let rows = try GeoJSONReader.mahalle(path: p)
            let s = try SpatiaLiteStore(path: sub.appendingPathComponent("s.sqlite").path, create: true)
            _ = try s.addBoundaries(BoundaryInput(source: p, mahalle: rows, parcels: [], categories: []))
            XCTAssertEqual(try s.mahalleList().count, 0, "a failed boundary load must write nothing")
            return ""
        } catch {
            XCTAssertTrue("\(error)".contains(p), "\(error)")
            return "\(error)"
        }
    }

    func testUnclosedMahallePolygon() throws {
        let e = try boundaryError("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Açık"},
            "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]}}]}
            """)
        XCTAssertTrue(e.contains("feature 1") && e.contains("is not closed"), e)
    }

    func testSelfIntersectingMahallePolygon() throws {
        let sub = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: sub) }
        let good = """
            {"type":"Feature","properties":{"name":"İyi"},"geometry":{"type":"Polygon","coordinates":[[[2,0],[3,0],[3,1],[2,1],[2,0]]]}}
            """
        let bowtie = """
            {"type":"Feature","properties":{"name":"Papyon"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}
            """
        let p = try Fixtures.write("{\"type\":\"FeatureCollection\",\"features\":[\(good),\(bowtie)]}", "b.geojson", in: sub)
        let s = try SpatiaLiteStore(path: sub.appendingPathComponent("s.sqlite").path, create: true)
        XCTAssertThrowsError(try s.addBoundaries(BoundaryInput(source: p, mahalle: try GeoJSONReader.mahalle(path: p), parcels: [], categories: []))) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains(p) && m.contains("feature 2") && m.contains("invalid polygon") && m.contains("Self-intersection"), m)
        }
        XCTAssertEqual(try s.mahalleList().count, 0, "the good feature before the bad one must not be kept either")
        XCTAssertEqual(try s.districts().count, 0)
    }

    func testBoundariesNotAFeatureCollection() throws {
        let e = try boundaryError("[1,2,3]")
        XCTAssertTrue(e.contains("not a GeoJSON FeatureCollection"), e)
    }

    func testBoundaryMissingName() throws {
        let e = try boundaryError("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ad":"x"},
            "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}
            """)
        XCTAssertTrue(e.contains("feature 1") && e.contains("missing property 'name'"), e)
    }

    func testBoundaryWrongGeometryType() throws {
        let e = try boundaryError("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},
            "geometry":{"type":"LineString","coordinates":[[0,0],[1,0]]}}]}
            """)
        XCTAssertTrue(e.contains("feature 1") && e.contains("LineString"), e)
    }
}
