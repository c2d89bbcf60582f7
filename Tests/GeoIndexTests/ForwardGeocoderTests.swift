import Foundation
import XCTest
@testable import GeoIndex

/// Forward geocoding on the sample district (3,739 parcels, 50 streets): every answer is checked by sending its
/// point back through the reverse geocoder (a different code path: R-tree and point-in-polygon), which must give
/// the same street, door and mahalle.
final class ForwardGeocoderTests: XCTestCase {
    static var dir: URL!
    static var store: SpatiaLiteStore!

    override class func setUp() {
        super.setUp()
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/sample-parcels")
        dir = try! Fixtures.tempDir()
        store = try! SpatiaLiteStore(path: dir.appendingPathComponent("s.sqlite").path, create: true)
        let m = data.appendingPathComponent("mahalle.geojson").path
        _ = try! store.addBoundaries(BoundaryInput(source: m, mahalle: try! GeoJSONReader.mahalle(path: m),
                                                   parcels: try! GeoJSONReader.parcels(path: data.appendingPathComponent("parcels.geojson").path),
                                                   categories: Category.defaults))
    }
    override class func tearDown() { try? FileManager.default.removeItem(at: dir); super.tearDown() }

    /// The way operators type the street type.
    static func abbreviate(_ street: String, _ i: Int) -> String {
        let forms: [(String, [String])] = [("Sokak", ["Sk.", "Sok.", "SOKAK", "sokağı"]), ("Caddesi", ["Cd.", "Cad.", "CADDESİ", "cadde"]),
                                           ("Bulvarı", ["Blv.", "Bulv.", "BULVARI", "bulvar"])]
        for (full, short) in forms where street.hasSuffix(full) {
            return String(street.dropLast(full.count)) + short[i % short.count]
        }
        return street
    }

    func testStreetAndDoorGiveTheParcelWhateverTheSpelling() throws {
        let parcels = try Self.store.parcels()
        XCTAssertGreaterThan(parcels.count, 3_000)
        let mahalleName = Dictionary(uniqueKeysWithValues: try Self.store.mahalleList().map { ($0.id, $0.name) })
        var checked = 0
        for (i, p) in parcels.enumerated() where i % 11 == 0 {
            let m = try XCTUnwrap(p.mahalleID.flatMap { mahalleName[$0] })
            let texts = ["\(Self.abbreviate(p.street, i)) No:\(p.doorNumber), \(m) Mah.",
                         TurkishText.uppercased("\(m) mahallesi \(p.street) no \(p.doorNumber)"),
                         "\(Self.abbreviate(p.street, i + 1)) \(p.doorNumber) \(m) Mh."]
            for text in texts {
                let found = try Self.store.geocode(address: text)
                XCTAssertEqual(found.count, 1, "\(text): \(found)")
                guard let c = found.first else { continue }
                XCTAssertEqual(c.precision, .door, text)
                XCTAssertEqual(c.door, p.doorNumber, text)
                let back = try Self.store.geocode(c.location)
                XCTAssertEqual(back.street, p.street, text)
                XCTAssertEqual(back.doorNumber, p.doorNumber, text)
                XCTAssertEqual(back.mahalleName, m, text)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 900)
    }

    func testStreetAloneIsItsMiddleInEachMahalleAndAMahalleAloneIsInsideIt() throws {
        let parcels = try Self.store.parcels()
        let streets = Set(parcels.map(\.street))
        for street in streets.sorted().prefix(20) {
            let found = try Self.store.geocode(address: Self.abbreviate(street, 0))
            let mahalleOfStreet = Set(parcels.filter { $0.street == street }.compactMap(\.mahalleID))
            XCTAssertEqual(found.count, mahalleOfStreet.count, "\(street): one candidate per mahalle it runs through")
            for c in found {
                XCTAssertEqual(c.precision, .street)
                let back = try Self.store.geocode(c.location)
                XCTAssertEqual(back.street, street, "the middle of \(street) is one of its parcels")
                XCTAssertEqual(back.mahalleID, c.mahalleID)
            }
        }
        for m in try Self.store.mahalleList() {
            let found = try Self.store.geocode(address: "\(m.name) Mah.")
            XCTAssertEqual(found.map(\.precision), [.mahalle], m.name)
            XCTAssertEqual(try Self.store.geocode(found[0].location).mahalleID, m.id, "\(m.name): the point is inside it")
        }
        XCTAssertTrue(try Self.store.geocode(address: "Olmayan Sokak No:5").isEmpty)
        XCTAssertTrue(try Self.store.geocode(address: "   ").isEmpty)
    }
}
