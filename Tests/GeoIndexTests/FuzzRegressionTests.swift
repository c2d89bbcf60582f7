import Foundation
import XCTest
@testable import GeoIndex

/// Inputs found by the libFuzzer targets in Fuzz/ (RELIABILITY.md §1), kept as regression tests.
final class FuzzRegressionTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// FuzzCSV's round-trip check: `0000-01-01` (Istanbul local time, whose tz offset then was +01:55:52) is an
    /// instant in year -1 UTC, which the store's "YYYY-MM-DDTHH:MM:SSZ" wrote as '000/-12-31T22:04:08Z' — a
    /// value that never parsed back. Dates outside years 0000–9999 UTC are now unparseable.
    func testTimestampOutsideTheStoredRangeIsRejected() {
        XCTAssertNil(Timestamp.parse("0000-01-01"))
        XCTAssertNil(Timestamp.parse("0000-01-01T00:00:00+00:01"))
        XCTAssertNil(Timestamp.parse("9999-12-31T23:00:00-14:00"))
        XCTAssertNil(Timestamp.parse("9999-12-31T23:59:60Z"))
        // The edges themselves still parse, and round-trip through the stored text.
        XCTAssertEqual(Timestamp.parse("0000-01-01T00:00:00Z"), -62_167_219_200)
        XCTAssertEqual(Timestamp.parse("0000-01-01T03:00:00+03:00"), -62_167_219_200)
        XCTAssertEqual(Timestamp.parse("9999-12-31T23:59:59Z"), 253_402_300_799)
        XCTAssertEqual(Timestamp.format(unix: Timestamp.earliest), "0000-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp.format(unix: Timestamp.latest), "9999-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp.parse(Timestamp.format(unix: Timestamp.earliest)), Timestamp.earliest)
        XCTAssertEqual(Timestamp.parse(Timestamp.format(unix: Timestamp.latest)), Timestamp.latest)
        // Ordinary dates are unchanged.
        XCTAssertEqual(Timestamp.parse("2024-03-05T14:30:00+03:00"), 1_709_638_200)
        XCTAssertEqual(Timestamp.parse("2024-01-05"), 1_704_402_000)
    }

    /// The CSV that showed it: the row is now refused, naming line and field, and nothing is imported.
    func testCSVWithYearZeroDateIsRefused() throws {
        let store = try Fixtures.store(in: dir)
        let input = try Fixtures.write("id,lon,lat,category,created_at\n1,36.92,37.57,yol,0000-01-01\n", "in.csv", in: dir)
        XCTAssertThrowsError(try ComplaintImporter(store: store).importFile(input)) { e in
            guard let e = e as? ComplaintImporter.RowErrors else { return XCTFail("unexpected error \(e)") }
            XCTAssertEqual(e.total, 1)
            XCTAssertEqual(e.errors.first?.line, 2)
            XCTAssertEqual(e.errors.first?.field, "created_at")
            XCTAssertEqual(e.errors.first?.message,
                           "unparseable date '0000-01-01' (expected ISO 8601 such as 2024-03-05T14:30:00+03:00, or 05.03.2024 14:30; other forms: --date-format)")
        }
        XCTAssertEqual(try store.complaintCount(), 0)
    }

    /// FuzzGeoJSON's population check: a mahalle population of 1e30 or 18446744073709551615 went through
    /// `NSNumber.intValue` and came out as Int.min or -1, so a boundary file could load a negative population.
    func testHugeMahallePopulationIsRefused() throws {
        for (population, name) in [("1e30", "1e30"), ("18446744073709551615", "uint64max"), ("-1", "negative"), ("2.5", "fraction")] {
            let path = try Fixtures.write("""
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A","population":\(population)},
                 "geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,0]]]}}]}
                """, "\(name).geojson", in: dir)
            XCTAssertThrowsError(try GeoJSONReader.mahalle(path: path), population) { e in
                XCTAssertEqual("\(e)", "\(path): feature 1: property 'population' must be a non-negative whole number", population)
            }
        }
        // Whole non-negative numbers still load, up to Int's range.
        let path = try Fixtures.write("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A","population":1e6},
             "geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,0]]]}},
             {"type":"Feature","properties":{"name":"B","population":0},
             "geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,0]]]}}]}
            """, "ok.geojson", in: dir)
        XCTAssertEqual(try GeoJSONReader.mahalle(path: path).map(\.population), [1_000_000, 0])
    }
}
