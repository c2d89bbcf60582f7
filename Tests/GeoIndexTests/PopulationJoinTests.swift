import XCTest
#if canImport(Population)
import Population
#else
import GeoIndex
#endif

final class PopulationJoinTests: XCTestCase {
    private static let medas = """
        Kahramanmaraş(Dulkadiroğlu/Dulkadiroğlu Bel./Aksu Mah.)-52481|3255.0|
        Kahramanmaraş(Dulkadiroğlu/Dulkadiroğlu Bel./İsmet Paşa Mah.)-52511|1317.0|
        Kahramanmaraş(Onikişubat/Onikişubat Bel./Aksu Mah.)-60001|100.0|
        Kahramanmaraş(Onikişubat/Onikişubat Bel./Yeni Mah.)-60002|200.0|
        Kahramanmaraş(Onikişubat/Onikişubat Bel./Sümer Yeni Mah.)-60003|300.0|
        Kayseri(Talas/Talas Bel./Aksu Mah.)-70001|7.0|
        Zonguldak(Merkez/Merkez Bel./Yeni Mah.)-80948|3243.0|
        Zonguldak(Merkez/Merkez Bel./Yeni Mah.)-80960|194.0|
        Zonguldak(Merkez/Merkez Bel./Yeşil Mah.)-80949|3490.0|
        Bolu(Merkez/Bolu Bel./Yeşil Mah.)-90001|50.0|
        Bolu(Merkez/Çaygökpınar Bel./Yeşil Mah.)-90002|60.0|
        Bolu(Merkez/Çaygökpınar Bel./Karaköy Mah.)-90003|70.0|
        Bolu(Merkez/Yeniçağa Bel./Karaköy Mah.)-90004|80.0|
        """

    private static func table(_ text: String = medas, file: String = "nufus.csv") throws -> PopulationTable {
        try PopulationTable(data: Data(text.utf8), file: file)
    }

    private static func polygons(_ list: [(String, String)], codes: [String?] = []) -> [PopulationJoin.Polygon] {
        list.enumerated().map { i, p in
            PopulationJoin.Polygon(name: p.0, district: p.1, code: i < codes.count ? codes[i] : nil, location: "feature \(i + 1)")
        }
    }

    func testByNameWithinDistrict() throws {
        let j = try PopulationJoin(polygons: Self.polygons([
            ("Aksu Mh.", "Dulkadiroğlu"), ("ISMETPASA MAHALLESI", "Dulkadiroğlu"), ("Aksu Mah.", "ONİKİŞUBAT"),
            ("Organize Sanayi Bölgesi", "Onikişubat"), ("Sümer Mh.", "Onikişubat"),
        ]), table: Self.table())
        XCTAssertEqual(j.populations, [3255, 1317, 100, nil, nil])
        XCTAssertEqual(j.matches, [.name, .name, .name, nil, nil])
        XCTAssertEqual(j.rows.map { $0?.code }, ["52481", "52511", "60001", nil, nil])
        XCTAssertEqual(j.matchedCount, 3)
        XCTAssertEqual(j.unmatchedPolygons.map(\.polygon.location), ["feature 4", "feature 5"])
        XCTAssertEqual(j.unmatchedPolygons[0].reason, "no TÜİK row named 'Organize Sanayi Bölgesi' in Onikişubat")
        XCTAssertTrue(j.unmatchedPolygons[1].reason.hasPrefix("no TÜİK row named 'Sümer Mh.' in Onikişubat; similar unjoined rows: 'Sümer Yeni Mah.'"),
                      j.unmatchedPolygons[1].reason)
        // Only rows of the polygons' districts: not Talas's Aksu, not Zonguldak's or Bolu's rows.
        XCTAssertEqual(j.unmatchedRows.map(\.code), ["60002", "60003"])
    }

    func testByCode() throws {
        let j = try PopulationJoin(polygons: Self.polygons(
            [("Renamed Mh.", "Dulkadiroğlu"), ("Aksu Mh.", "Onikişubat"), ("Yeni Mh.", "Onikişubat")],
            codes: ["052511", "99999", nil]), table: Self.table())
        XCTAssertEqual(j.populations, [1317, nil, 200])
        XCTAssertEqual(j.matches, [.code, nil, .name])
        // Where both sides have a code the codes decide, even when the names agree.
        XCTAssertTrue(j.unmatchedPolygons[0].reason.contains("no TÜİK row has code '99999'"), j.unmatchedPolygons[0].reason)
        XCTAssertTrue(j.unmatchedPolygons[0].reason.contains("code 60001"), j.unmatchedPolygons[0].reason)
    }

    func testCodeMatchesComeFirst() throws {
        let j = try PopulationJoin(polygons: Self.polygons(
            [("Aksu Mh.", "Dulkadiroğlu"), ("Something", "Dulkadiroğlu")], codes: [nil, "52481"]), table: Self.table())
        XCTAssertEqual(j.populations, [nil, 3255])
        XCTAssertEqual(j.unmatchedPolygons.first?.reason,
                       "the TÜİK row 'Aksu Mah.' (Dulkadiroğlu Bel., code 52481, line 1) is already joined to feature 2 ('Something')")
    }

    func testRowUsedOnce() throws {
        let j = try PopulationJoin(polygons: Self.polygons([("Aksu Mh.", "Dulkadiroğlu"), ("AKSU MAHALLESİ", "Dulkadiroğlu")]),
                                   table: Self.table())
        XCTAssertEqual(j.populations, [3255, nil])
        XCTAssertEqual(j.unmatchedPolygons.count, 1)
        XCTAssertEqual(j.unmatchedPolygons[0].polygon.location, "feature 2")
        XCTAssertTrue(j.unmatchedPolygons[0].reason.contains("already joined to feature 1 ('Aksu Mh.')"), j.unmatchedPolygons[0].reason)
    }

    func testDistrictWithoutRows() throws {
        let j = try PopulationJoin(polygons: Self.polygons([("Aksu Mh.", "Atlantis"), ("Yeni Mh.", "Atlantis"), ("Aksu Mh.", "Dulkadiroğlu")]),
                                   table: Self.table())
        XCTAssertEqual(j.populations, [nil, nil, 3255])
        XCTAssertEqual(j.unmatchedPolygons.map(\.reason), Array(repeating: "district 'Atlantis' has no rows in the population file", count: 2))
        XCTAssertEqual(j.unmatchedRows.map(\.code), ["52511"])
    }

    func testDistrictInTwoProvinces() throws {
        let polygons = Self.polygons([("Yeşil Mh.", "Merkez"), ("Yeni Mh.", "Merkez"), ("Karaköy Mh.", "Merkez")])
        XCTAssertThrowsError(try PopulationJoin(polygons: polygons, table: Self.table())) { error in
            guard let e = error as? ImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.file, "nufus.csv")
            XCTAssertEqual(e.message, "district 'Merkez' is in more than one province in the population file (Bolu, Zonguldak); --province NAME chooses")
        }

        let zonguldak = try PopulationJoin(polygons: polygons, table: Self.table(), province: "ZONGULDAK")
        XCTAssertEqual(zonguldak.populations, [3490, nil, nil])
        // Two rows with the same name in the district's own municipality: nothing to prefer.
        XCTAssertTrue(zonguldak.unmatchedPolygons[0].reason.hasPrefix("2 TÜİK rows named like 'Yeni Mh.' in Merkez, cannot tell which: 'Yeni Mah.' (Merkez Bel., code 80948"),
                      zonguldak.unmatchedPolygons[0].reason)
        XCTAssertEqual(zonguldak.unmatchedPolygons[1].reason, "no TÜİK row named 'Karaköy Mh.' in Merkez")
        XCTAssertEqual(Set(zonguldak.unmatchedRows.map(\.code)), ["80948", "80960"])

        // Bolu: the central district's municipality carries the province's name and wins over a belde's row;
        // two belde rows with one name stay ambiguous.
        let bolu = try PopulationJoin(polygons: polygons, table: Self.table(), province: "bolu")
        XCTAssertEqual(bolu.populations, [50, nil, nil])
        XCTAssertTrue(bolu.unmatchedPolygons[1].reason.contains("Çaygökpınar Bel., code 90003"), bolu.unmatchedPolygons[1].reason)
        XCTAssertTrue(bolu.unmatchedPolygons[1].reason.contains("Yeniçağa Bel., code 90004"), bolu.unmatchedPolygons[1].reason)

        XCTAssertThrowsError(try PopulationJoin(polygons: polygons, table: Self.table(), province: "Atlantis")) { error in
            XCTAssertEqual((error as? ImportError)?.message, "no rows of province 'Atlantis' in the population file")
        }
    }

    func testOwnMunicipalityPreferred() throws {
        let t = try Self.table("district,mahalle,population,belediye\nD,Çamlık Mah.,20,Belde Bel.\nD,Çamlık Mah.,10,D Bel.\n")
        let j = try PopulationJoin(polygons: Self.polygons([("Çamlık Mh.", "D")]), table: t)
        XCTAssertEqual(j.populations, [10])
        XCTAssertEqual(j.unmatchedRows.map(\.population), [20])
    }

    func testCodeOnlyTable() throws {
        let t = try Self.table("code,population\n52481,3255\n1,5\n")
        let j = try PopulationJoin(polygons: Self.polygons([("Aksu Mh.", "Dulkadiroğlu"), ("Yeni Mh.", "Dulkadiroğlu"), ("X", "Dulkadiroğlu")],
                                                           codes: ["52481", nil, "7"]), table: t)
        XCTAssertEqual(j.populations, [3255, nil, nil])
        XCTAssertEqual(j.matches, [.code, nil, nil])
        XCTAssertEqual(j.unmatchedPolygons.map(\.reason), ["the population file has codes only and the polygon has no code",
                                                           "no row with code '7' in the population file"])
        XCTAssertEqual(j.unmatchedRows, [])
    }

    func testCSVWithoutProvinceAndEmptyInput() throws {
        let t = try Self.table("ilçe;mahalle;nüfus\nİnegöl;Akhisar Mah.;16552\n")
        let j = try PopulationJoin(polygons: Self.polygons([("Akhisar Mh.", "İNEGÖL")]), table: t, province: "Bursa")
        XCTAssertEqual(j.populations, [16552])
        let none = try PopulationJoin(polygons: [], table: t)
        XCTAssertEqual(none.populations, [])
        XCTAssertEqual(none.unmatchedRows, [])
        XCTAssertEqual(none.matchedCount, 0)
    }
}
