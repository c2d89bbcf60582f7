import XCTest
#if canImport(Population)
import Population
#else
import GeoIndex
#endif

final class PopulationTableTests: XCTestCase {
    private static func table(_ text: String, file: String = "nufus.csv") throws -> PopulationTable {
        try PopulationTable(data: Data(text.utf8), file: file)
    }

    /// Asserts that reading `text` fails with an ImportError naming `file` and `location` whose message
    /// contains every string of `contains`.
    private static func assertFails(_ text: String, file: String = "nufus.csv", location: String?, contains: [String] = [],
                                    sourceFile: StaticString = #filePath, line: UInt = #line) {
        assertFails(Data(text.utf8), file: file, location: location, contains: contains, sourceFile: sourceFile, line: line)
    }

    private static func assertFails(_ data: Data, file: String = "nufus.csv", location: String?, contains: [String] = [],
                                    sourceFile: StaticString = #filePath, line: UInt = #line) {
        do {
            let t = try PopulationTable(data: data, file: file)
            XCTFail("read as \(t.format.rawValue) with \(t.entries.count) entries", file: sourceFile, line: line)
        } catch let e as ImportError {
            XCTAssertEqual(e.file, file, file: sourceFile, line: line)
            XCTAssertEqual(e.location, location, "\(e)", file: sourceFile, line: line)
            XCTAssertTrue(e.description.hasPrefix(file + ": "), "\(e)", file: sourceFile, line: line)
            for s in contains { XCTAssertTrue(e.message.contains(s), "'\(s)' missing from: \(e)", file: sourceFile, line: line) }
        } catch {
            XCTFail("not an ImportError: \(error)", file: sourceFile, line: line)
        }
    }

    // MARK: TÜİK MEDAS

    func testMEDASAsDownloaded() throws {
        // BOM, CRLF, "3255.0", a name with parentheses, last line without a newline.
        let t = try Self.table("\u{FEFF}Kahramanmaraş(Dulkadiroğlu/Dulkadiroğlu Bel./Aksu Mah.)-52481|3255.0|\r\n"
                               + "Aydın(Kuyucak/Kuyucak Bel./Beşeylül (Merkez) Mah.)-144355|356.0|")
        XCTAssertEqual(t.format, .tuikMEDAS)
        XCTAssertEqual(t.file, "nufus.csv")
        XCTAssertEqual(t.entries, [
            .init(province: "Kahramanmaraş", district: "Dulkadiroğlu", municipality: "Dulkadiroğlu Bel.",
                  mahalle: "Aksu Mah.", code: "52481", population: 3255, line: 1),
            .init(province: "Aydın", district: "Kuyucak", municipality: "Kuyucak Bel.",
                  mahalle: "Beşeylül (Merkez) Mah.", code: "144355", population: 356, line: 2),
        ])
    }

    func testMEDASWithHeaderLFAndBlankLines() throws {
        let t = try Self.table("İl(İlçe/Belediye/Mahalle)-Kod|Nüfus|\n\nA(B/B Bel./C Mah.)-1|10|\n\nA(B/B Bel./D Mah.)-2|20\n")
        XCTAssertEqual(t.format, .tuikMEDAS)
        XCTAssertEqual(t.entries.map(\.line), [3, 5])
        XCTAssertEqual(t.entries.map(\.population), [10, 20])
        XCTAssertEqual(t.entries.map(\.mahalle), ["C Mah.", "D Mah."])
    }

    func testMEDASHeaderOnlyAsFirstLine() {
        Self.assertFails("A(B/B Bel./C Mah.)-1|10|\nİl(İlçe/Belediye/Mahalle)-Kod|Nüfus|\n", location: "line 2",
                         contains: ["not a TÜİK MEDAS line"])
    }

    func testMalformedMEDASLines() {
        for bad in ["A(B/B Bel. C Mah.)-2|5|", "A(B/B Bel./C Mah.)|5|", "A(B/B Bel./C Mah.)-X1|5|",
                    "(B/B Bel./C Mah.)-2|5|", "A(B/B Bel./C Mah.-2|5|", "A(B/B Bel./)-2|5|"] {
            Self.assertFails("\u{FEFF}A(B/B Bel./C Mah.)-1|10|\r\n" + bad + "\r\n", location: "line 2",
                             contains: ["not a TÜİK MEDAS line", "İl(İlçe/Belediye/Mahalle)-CODE|POPULATION|"])
        }
    }

    // MARK: district,mahalle,population

    func testPerCityCSVColumns() throws {
        let t = try Self.table("il,ilce,belediye,mahalle,tuik_code,population\n"
                               + "Kahramanmaraş,Dulkadiroğlu,Dulkadiroğlu Bel.,Aksu Mah.,52481,3255\n")
        XCTAssertEqual(t.format, .districtMahalle)
        XCTAssertEqual(t.entries, [.init(province: "Kahramanmaraş", district: "Dulkadiroğlu", municipality: "Dulkadiroğlu Bel.",
                                         mahalle: "Aksu Mah.", code: "52481", population: 3255, line: 2)])
    }

    func testDistrictMahalleCSVVariants() throws {
        let plain = try Self.table("district,mahalle,population\nDulkadiroğlu,Aksu Mah.,3255\n")
        XCTAssertEqual(plain.format, .districtMahalle)
        XCTAssertEqual(plain.entries, [.init(district: "Dulkadiroğlu", mahalle: "Aksu Mah.", population: 3255, line: 2)])

        // Turkish Excel: semicolons, Turkish and upper-case headers, decimal comma, a quoted separator.
        let excel = try Self.table("\u{FEFF}İLÇE;Mahalle;NÜFUS\r\nDulkadiroğlu;Aksu Mah.;3255\r\n Onikişubat ;\"Yeni; Eski Mah.\";3255,0\r\n")
        XCTAssertEqual(excel.format, .districtMahalle)
        XCTAssertEqual(excel.entries.map(\.district), ["Dulkadiroğlu", "Onikişubat"])
        XCTAssertEqual(excel.entries.map(\.mahalle), ["Aksu Mah.", "Yeni; Eski Mah."])
        XCTAssertEqual(excel.entries.map(\.population), [3255, 3255])

        let aliases = try Self.table("Province,ILCE,Mahalle,Nufus,Code,Note\nKayseri,Talas,Mevlana Mah.,12.0,181611,x\n")
        XCTAssertEqual(aliases.entries, [.init(province: "Kayseri", district: "Talas", mahalle: "Mevlana Mah.", code: "181611",
                                               population: 12, line: 2)])
    }

    // MARK: code,population

    func testCodeCSV() throws {
        let t = try Self.table("code,population\n52481,3255\n52511,1317\n")
        XCTAssertEqual(t.format, .code)
        XCTAssertEqual(t.entries, [.init(code: "52481", population: 3255, line: 2), .init(code: "52511", population: 1317, line: 3)])
        let semi = try Self.table("tuik_code;nüfus\n52481;3255\n")
        XCTAssertEqual(semi.format, .code)
        XCTAssertEqual(semi.entries.first?.code, "52481")
    }

    func testEmptyTableAfterHeader() throws {
        let t = try Self.table("code,population\n")
        XCTAssertEqual(t.format, .code)
        XCTAssertEqual(t.entries, [])
    }

    // MARK: Bad input

    func testNoneOfTheFormats() {
        let shapes = ["none of the accepted", "-52481|3255|", "district,mahalle,population", "Dulkadiroğlu,Aksu Mah.,3255",
                      "code,population", "52481,3255"]
        Self.assertFails("name,value\nAksu,1\n", file: "data/x.csv", location: nil, contains: shapes)
        Self.assertFails("district,mahalle\nA,B\n", location: nil, contains: shapes)
        Self.assertFails("just some text\nmore text\n", location: nil, contains: shapes)
        Self.assertFails("", location: nil, contains: ["empty"] + shapes.dropFirst())
        Self.assertFails("\u{FEFF}\r\n  \r\n", location: nil, contains: ["empty"])
    }

    func testBadPopulationsNameFileAndLine() {
        for bad in ["3255.5", "-3", "abc", "", "3.000", "1e3", "+5", "3 255", "99999999999999999"] {
            Self.assertFails("A(B/B Bel./C Mah.)-1|10.0|\nA(B/B Bel./D Mah.)-2|\(bad)|\n", file: "medas.csv", location: "line 2",
                             contains: [bad.isEmpty ? "empty" : "population '\(bad)' is not a non-negative whole number"])
            Self.assertFails("district,mahalle,population\nB,C,1\n\nB,D,\(bad)\n", location: "line 4",
                             contains: [bad.isEmpty ? "empty" : "is not a non-negative whole number"])
            Self.assertFails("code,population\n1,\(bad)\n", location: "line 2",
                             contains: [bad.isEmpty ? "empty" : "is not a non-negative whole number"])
        }
        // A bad figure on the first MEDAS line is reported, not taken for a header.
        Self.assertFails("A(B/B Bel./C Mah.)-1|3255.5|\nA(B/B Bel./D Mah.)-2|5|\n", location: "line 1",
                         contains: ["population '3255.5'"])
    }

    func testBadCSVRows() {
        Self.assertFails("district,mahalle,population\nB,C\n", location: "line 2", contains: ["2 field(s)"])
        Self.assertFails("district,mahalle,population\nB,,5\n", location: "line 2", contains: ["mahalle name is empty"])
        Self.assertFails("district,mahalle,population\n,C,5\n", location: "line 2", contains: ["district is empty"])
        Self.assertFails("code,population\n,5\n", location: "line 2", contains: ["code is empty"])
        Self.assertFails("district,mahalle,population\nB,\"C,5\n", location: "line 2", contains: ["unterminated"])
    }

    func testInvalidUTF8() {
        var data = Data("district,mahalle,population\nB,C,5\n".utf8)
        data.append(contentsOf: [0x42, 0x2C, 0xFE, 0x2C, 0x35, 0x0A])
        Self.assertFails(data, location: "line 3", contains: ["UTF-8"])
    }

    func testReadPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("population-\(UUID().uuidString).csv")
        try Data("code,population\n1,2\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let t = try PopulationTable.read(path: url.path)
        XCTAssertEqual(t.file, url.path)
        XCTAssertEqual(t.entries.count, 1)

        XCTAssertThrowsError(try PopulationTable.read(path: "/nonexistent/nufus.csv")) { error in
            XCTAssertEqual((error as? ImportError)?.file, "/nonexistent/nufus.csv")
        }
    }
}
