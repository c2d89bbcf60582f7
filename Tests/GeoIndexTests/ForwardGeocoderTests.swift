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

    /// A call-centre export without coordinates: an `adres` column places each row; an ambiguous or unknown address
    /// stops the import naming the line and column (nothing written), or is set aside with --skip-invalid.
    func testImportPlacesRowsFromTheirAddress() throws {
        let d = try Fixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let store = try SpatiaLiteStore(path: d.appendingPathComponent("a.sqlite").path, create: true)
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/sample-parcels")
        let m = data.appendingPathComponent("mahalle.geojson").path
        _ = try store.addBoundaries(BoundaryInput(source: m, mahalle: try GeoJSONReader.mahalle(path: m),
                                                  parcels: try GeoJSONReader.parcels(path: data.appendingPathComponent("parcels.geojson").path),
                                                  categories: Category.defaults))
        let csv = d.appendingPathComponent("alo153.csv")
        try """
        basvuru_no;adres;kategori;tarih
        A-1;1178. Sk. No:20 Şehitler Mah.;yol;05.03.2024 10:00
        A-2;ATATÜRK BLV. NO:5;temizlik;05.03.2024 11:00
        A-3;Şehitler Mh.;su;05.03.2024 12:00
        A-4;Atatürk Bulvarı;yol;05.03.2024 13:00
        A-5;Bilinmeyen Sokak 3;yol;05.03.2024 14:00

        """.write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ComplaintImporter(store: store).importFile(csv.path)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("line 5") && text.contains("'adres'") && text.contains("ambiguous"), text)
            XCTAssertTrue(text.contains("line 6") && text.contains("matches no street"), text)
        }
        XCTAssertEqual(try store.complaintCount(), 0, "nothing written")
        var o = ComplaintImporter.Options()
        o.skipInvalid = true
        let sum = try ComplaintImporter(store: store, options: o).importFile(csv.path)
        XCTAssertEqual(sum.imported, 3)
        XCTAssertEqual(sum.rejected, 2)
        let byRef = Dictionary(uniqueKeysWithValues: try (1...3).map { i -> (String, Complaint) in
            let id = try XCTUnwrap(store.db.scalarInt("SELECT id FROM complaints WHERE external_ref = ?", [.text("A-\(i)")]))
            return ("A-\(i)", try XCTUnwrap(store.complaint(id: id)))
        })
        XCTAssertEqual(byRef["A-1"]?.address.street, "1178. Sokak")
        XCTAssertEqual(byRef["A-1"]?.address.doorNumber, "20")
        XCTAssertEqual(byRef["A-2"]?.address.street, "Atatürk Bulvarı")
        XCTAssertEqual(byRef["A-2"]?.address.doorNumber, "5")
        XCTAssertEqual(byRef["A-3"]?.address.mahalleName, "Şehitler")
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
