import Foundation
import XCTest
@testable import GeoIndex

final class CoordinateTransformTests: XCTestCase {
    func testWebMercatorMatchesTheFormula() throws {
        let t = try CoordinateTransform(from: "EPSG:3857")
        let r = 6_378_137.0
        let lon = 36.95, lat = 37.59
        let x = r * lon * .pi / 180, y = r * log(tan(.pi / 4 + lat * .pi / 360))
        let p = t.transform(x, y)
        XCTAssertEqual(p.lon, lon, accuracy: 1e-9)
        XCTAssertEqual(p.lat, lat, accuracy: 1e-9)
    }

    /// On a TM/UTM zone's central meridian the easting is the false easting (500 000 m), whatever the latitude;
    /// the northing at the equator is 0.
    func testTurkishGridsCentralMeridians() throws {
        let zones: [(String, Double)] = [("EPSG:5253", 27), ("EPSG:5254", 30), ("EPSG:5255", 33), ("EPSG:5256", 36),
                                         ("EPSG:5257", 39), ("EPSG:5258", 42), ("EPSG:5259", 45),
                                         ("EPSG:32635", 27), ("EPSG:32636", 33), ("EPSG:32637", 39), ("EPSG:32638", 45),
                                         ("EPSG:23035", 27), ("EPSG:23036", 33), ("EPSG:23037", 39), ("EPSG:23038", 45)]
        for (code, meridian) in zones {
            let t = try CoordinateTransform(from: code)
            let eq = t.transform(500_000, 0)
            // ED50 differs from WGS 84 by a datum shift of ~100 m; ITRF96/WGS 84 agree to centimetres.
            let tol = code.hasPrefix("EPSG:230") ? 0.003 : 1e-7
            XCTAssertEqual(eq.lon, meridian, accuracy: tol, code)
            XCTAssertEqual(eq.lat, 0, accuracy: tol, code)
            let north = t.transform(500_000, 4_160_000)
            XCTAssertEqual(north.lon, meridian, accuracy: tol, code)
            XCTAssertEqual(north.lat, 37.58, accuracy: 0.03, code)
        }
    }

    func testIdentityAndUnknown() throws {
        XCTAssertTrue(try CoordinateTransform(from: "EPSG:4326").isIdentity)
        XCTAssertThrowsError(try CoordinateTransform(from: "EPSG:0")) { e in XCTAssertTrue("\(e)".contains("unknown CRS")) }
        XCTAssertThrowsError(try CoordinateTransform(from: "not a crs"))
    }
}
