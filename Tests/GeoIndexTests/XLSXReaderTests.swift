import Foundation
import XCTest
import ZIPFoundation
// Built alone as the XLSX package, and inside taskmap's GeoIndex (where the reader lives in Import/).
#if canImport(XLSX)
import XLSX
#else
import GeoIndex
#endif

/// Every workbook here is made by the test itself: small hand-written ones zipped with ZIPFoundation, and one
/// written by openpyxl as a real writer would. No binary fixtures.
final class XLSXReaderTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    // MARK: Strings

    func testSharedRichInlineAndFormulaStrings() throws {
        let strings = """
            <si><t>Çöp</t></si>
            <si><r><rPr><b/></rPr><t>İnönü </t></r><r><t xml:space="preserve">Mah. </t></r><r><t>şube</t></r></si>
            <si><t xml:space="preserve">  boşluklu  </t></si>
            <si><t>a, b</t></si>
            <si><t>"tırnak"</t></si>
            <si><t>satır1
            satır2</t></si>
            <si><t>CR_x000D_
            LF</t></si>
            <si><t>&lt;&amp;&gt;</t></si>
            <si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>
            <si><t/></si>
            <si><t xml:space="preserve">   </t></si>
            """
        let rows = """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
            <row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row>
            <row r="3"><c r="A3" t="s"><v>6</v></c><c r="B3" t="s"><v>7</v></c><c r="C3" t="s"><v>8</v></c></row>
            <row r="4"><c r="A4" t="inlineStr"><is><t>satır içi</t></is></c>
              <c r="B4" t="inlineStr"><is><r><t>zengin </t></r><r><rPr><i/></rPr><t>metin</t></r></is></c>
              <c r="C4" t="str"><f>A4&amp;"!"</f><v>satır içi!</v></c></row>
            <row r="5"><c r="A5" t="b"><v>1</v></c><c r="B5" t="b"><v>0</v></c><c r="C5" t="e"><f>NA()</f><v>#N/A</v></c></row>
            <row r="6"><c r="A6" t="s"><v>9</v></c><c r="B6" t="s"><v>10</v></c><c r="C6" t="inlineStr"><is><t>son</t></is></c></row>
            """
        let path = try write(Self.workbook(sheets: [("Başvurular", Self.sheet(rows))], sharedStrings: strings))
        let result = try XLSXReader.csv(path: path, sheet: nil)
        XCTAssertEqual(result.sheetName, "Başvurular")
        XCTAssertEqual(text(result), [
            "Çöp,İnönü Mah. şube,  boşluklu  ",
            #""a, b","""tırnak""","satır1"#,
            #"satır2""#,
            "\"CR\r",
            "LF\",<&>,東京",
            "satır içi,zengin metin,satır içi!",
            "TRUE,FALSE,#N/A",
            ",   ,son",
        ].joined(separator: "\n") + "\n")
        XCTAssertEqual(result.rowNumbers, [1, 2, 3, 4, 5, 6])
    }

    // MARK: Layout

    func testSparseCellsAndRowsArePaddedAndNumbered() throws {
        let rows = """
            <row r="2" spans="1:28"><c r="A2" t="inlineStr"><is><t>no</t></is></c><c r="C2" t="inlineStr"><is><t>mahalle</t></is></c>
              <c r="AB2" t="inlineStr"><is><t>son</t></is></c></row>
            <row r="3"><c r="B3"><v>5</v></c></row>
            <row r="4"><c r="A4" s="0"/><c r="B4" t="s"/><c r="C4"><v></v></c></row>
            <row><c><v>1</v></c><c><v>2</v></c><c r="E5"><v>3</v></c><c><v>4</v></c></row>
            <row r="9"><c r="AA9"><v>26</v></c><c r="AC9" s="0"/></row>
            <row/>
            """
        let path = try write(Self.workbook(sheets: [("Sayfa1", Self.sheet(rows))]))
        let result = try XLSXReader.csv(path: path, sheet: nil)
        let lines = text(result).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 5)  // four rows and the final line end
        for line in lines.dropLast() { XCTAssertEqual(line.filter { $0 == "," }.count, 27, line) }
        XCTAssertEqual(lines[0], "no,,mahalle" + String(repeating: ",", count: 25) + "son")
        XCTAssertEqual(lines[1], ",5" + String(repeating: ",", count: 26))
        XCTAssertEqual(lines[2], "1,2,,,3,4" + String(repeating: ",", count: 22))
        XCTAssertEqual(lines[3], String(repeating: ",", count: 26) + "26,")
        XCTAssertEqual(lines[4], "")
        // Row 4 holds only empty cells and is skipped; the row without r after it is row 5.
        XCTAssertEqual(result.rowNumbers, [2, 3, 5, 9])
    }

    // MARK: Numbers and dates

    func testNumbersAreWrittenShortAndPlain() throws {
        let values = ["36", "36.0", "36.951", "36.950999999999997", "-0", "1E-3", "1.5E+20", "0.30000000000000004",
                      "-12.5000", "123456789012345678", "3.6951E1", "4.0000000000000001E-2"]
        let cells = values.enumerated().map { "<c r=\"\(Self.column($0.offset))1\"><v>\($0.element)</v></c>" }.joined()
        let path = try write(Self.workbook(sheets: [("S", Self.sheet("<row r=\"1\">\(cells)</row>"))]))
        XCTAssertEqual(text(try XLSXReader.csv(path: path, sheet: nil)),
                       "36,36,36.951,36.951,0,0.001,150000000000000000000,0.30000000000000004,-12.5,123456789012345678,36.951,0.04\n")
    }

    func testDateStylesBuiltInAndCustom() throws {
        let styles = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            <numFmts count="7">
              <numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy\\ hh:mm"/>
              <numFmt numFmtId="165" formatCode="0.00"/>
              <numFmt numFmtId="166" formatCode="[Red]#,##0"/>
              <numFmt numFmtId="167" formatCode="0&quot;m&quot;"/>
              <numFmt numFmtId="168" formatCode="[$-41F]d\\ mmmm\\ yyyy"/>
              <numFmt numFmtId="169" formatCode="mm:ss"/>
              <numFmt numFmtId="170" formatCode="#,##0.00\\ &quot;TL&quot;;[Red]\\-#,##0.00\\ &quot;TL&quot;"/>
            </numFmts>
            <cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>
            <dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="yyyy"/></dxf></dxfs>
            <cellXfs count="11">
              <xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>
              <xf numFmtId="167"/><xf numFmtId="22"/><xf numFmtId="20"/><xf numFmtId="168"/><xf numFmtId="169"/>
              <xf numFmtId="170"/>
            </cellXfs>
            </styleSheet>
            """
        // (serial, style, expected)
        let cases: [(String, Int, String)] = [
            ("45356", 1, "2024-03-05"),
            ("45356.604166666664", 2, "2024-03-05T14:30:00"),
            ("45356.604166", 6, "2024-03-05T14:30:00"),       // rounded to the nearest second
            ("45356.5", 1, "2024-03-05T12:00:00"),            // a date format on a time still shows the time
            ("45356.99999999", 1, "2024-03-06"),              // rounds up to midnight of the next day
            ("45356", 8, "2024-03-05"),
            ("0.6041666666666666", 7, "14:30:00"),            // time format, no date part
            ("0.02", 9, "00:28:48"),                          // mm:ss is minutes, not months
            ("1", 1, "1900-01-01"), ("59", 1, "1900-02-28"), ("60", 1, "1900-03-01"), ("61", 1, "1900-03-01"),
            ("45356", 0, "45356"), ("45356", 3, "45356"), ("45356", 4, "45356"), ("45356", 5, "45356"),
            ("45356", 10, "45356"), ("45356", 99, "45356"),  // a style index past cellXfs is General
            ("-1", 1, "-1"),                                  // Excel shows ####: keep the number
        ]
        var rows = ""
        for (i, c) in cases.enumerated() {
            rows += "<row r=\"\(i + 1)\"><c r=\"A\(i + 1)\" s=\"\(c.1)\"><v>\(c.0)</v></c></row>"
        }
        // A text cell that looks like a date stays text; so does one with a date style.
        rows += "<row><c t=\"inlineStr\" s=\"1\"><is><t>2024-03-05</t></is></c></row>"
        let path = try write(Self.workbook(sheets: [("Tarihler", Self.sheet(rows))], styles: styles))
        let lines = text(try XLSXReader.csv(path: path, sheet: nil)).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, cases.map(\.2) + ["2024-03-05"])
    }

    func testDate1904System() throws {
        let styles = """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            <cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs></styleSheet>
            """
        let rows = """
            <row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43894.604166666664</v></c><c r="C1"><v>43894</v></c></row>
            """
        let path = try write(Self.workbook(sheets: [("S", Self.sheet(rows))], styles: styles,
                                           workbookPr: "<workbookPr date1904=\"1\"/>"))
        XCTAssertEqual(text(try XLSXReader.csv(path: path, sheet: nil)), "1904-01-01T00:00:00,2024-03-05T14:30:00,43894\n")
    }

    // MARK: Workbook structure

    func testSheetOrderNamesAndOddRelationshipTargets() throws {
        let workbook = """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
                      xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <sheets>
              <sheet name="Grafik" sheetId="4" rel:id="rId9"/>
              <sheet name="Özet" sheetId="3" rel:id="rId7"/>
              <sheet name="Başvurular" sheetId="1" rel:id="rId2"/>
              <sheet name="Ek" sheetId="5" rel:id="rId5"/>
            </sheets></workbook>
            """
        let rels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/veri.xml"/>
            <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="./worksheets/../worksheets/sheet%202.xml"/>
            <Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="../xl/worksheets/ek.xml"/>
            <Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/paylasilan.xml"/>
            <Relationship Id="rId8" Type="http://example.com/hyperlink" Target="http://example.com" TargetMode="External"/>
            </Relationships>
            """
        // A writer that binds the main namespace to a prefix, as the Open XML SDK does.
        let prefixed = """
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
            <x:row r="1"><x:c r="A1" t="s"><x:v>1</x:v></x:c><x:c r="B1"><x:v>7</x:v></x:c></x:row>
            </x:sheetData></x:worksheet>
            """
        var parts = [
            "[Content_Types].xml": Self.contentTypes,
            "_rels/.rels": Self.rootRels,
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/worksheets/veri.xml": Self.sheet("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"),
            "xl/worksheets/sheet 2.xml": Self.sheet("<row r=\"3\"><c r=\"B3\"><v>42</v></c></row>"),
            "xl/worksheets/ek.xml": prefixed,
            "xl/chartsheets/sheet1.xml": "<chartsheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"/>",
            "xl/paylasilan.xml": Self.sst("<si><t>Çöp</t></si><si><t>Ek sayfa</t></si>"),
        ]
        parts["xl/sharedStrings.xml"] = nil
        let path = try write(parts)

        let first = try XLSXReader.csv(path: path, sheet: nil)
        XCTAssertEqual(first.sheetNames, ["Grafik", "Özet", "Başvurular", "Ek"])
        XCTAssertEqual(first.sheetName, "Özet")  // the chart sheet before it has no cells
        XCTAssertEqual(text(first), ",42\n")
        XCTAssertEqual(first.rowNumbers, [3])

        XCTAssertEqual(text(try XLSXReader.csv(path: path, sheet: "Başvurular")), "Çöp\n")
        XCTAssertEqual(text(try XLSXReader.csv(path: path, sheet: "Ek")), "Ek sayfa,7\n")
        XCTAssertEqual(try XLSXReader.csv(path: path, sheet: "ek").sheetName, "Ek")  // loose match when unique

        assertImportError(try XLSXReader.csv(path: path, sheet: "Grafik"), path: path, contains: ["sheet 'Grafik'", "chartsheet"])
        assertImportError(try XLSXReader.csv(path: path, sheet: "Yok"), path: path,
                          contains: ["no sheet named 'Yok'", "'Grafik', 'Özet', 'Başvurular', 'Ek'"])
    }

    func testMinimalWorkbookWithoutSharedStringsStylesOrRootRels() throws {
        // Only the workbook, its relationships and one sheet: no [Content_Types].xml, _rels/.rels, styles or strings.
        let rows = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ad</t></is></c><c r=\"B1\"><v>1.25</v></c></row>"
        var parts = Self.workbook(sheets: [("Tek", Self.sheet(rows))])
        parts["[Content_Types].xml"] = nil
        parts["_rels/.rels"] = nil
        let path = try write(parts)
        let result = try XLSXReader.csv(path: path, sheet: "Tek")
        XCTAssertEqual(text(result), "ad,1.25\n")
        XCTAssertTrue(XLSXReader.looksLikeXLSX(path: path))
    }

    func testWorkbookFoundThroughContentTypes() throws {
        // No _rels/.rels: [Content_Types].xml is what says the workbook is xl/kitap.xml.
        var parts = Self.workbook(sheets: [("Liste", Self.sheet("<row r=\"1\"><c r=\"A1\"><v>7</v></c></row>"))])
        parts["_rels/.rels"] = nil
        parts["xl/kitap.xml"] = parts.removeValue(forKey: "xl/workbook.xml")
        parts["xl/_rels/kitap.xml.rels"] = parts.removeValue(forKey: "xl/_rels/workbook.xml.rels")
        parts["[Content_Types].xml"] = Self.contentTypes.replacingOccurrences(of: "/xl/workbook.xml", with: "/xl/kitap.xml")
        let path = try write(parts)
        XCTAssertEqual(text(try XLSXReader.csv(path: path, sheet: nil)), "7\n")
    }

    /// Parts over 10 MB (both one long line, as Excel writes them) once made Linux's XMLParser fail at the end when
    /// handed all at once. Few, long strings keep this quick in a debug build.
    func testPartsLargerThanTenMegabytes() throws {
        let long = String(repeating: "Atatürk Caddesi, ", count: 16)  // 16 × 18 bytes
        let n = 40_000
        var strings = ""
        for i in 0..<n { strings += "<si><t>\(i) \(long)</t></si>" }
        var rows = ""
        for r in 1...n { rows += "<row r=\"\(r)\"><c r=\"A\(r)\" t=\"s\"><v>\(n - r)</v></c><c r=\"B\(r)\" t=\"inlineStr\"><is><t>\(long)</t></is></c></row>" }
        let parts = Self.workbook(sheets: [("Büyük", Self.sheet(rows))], sharedStrings: strings)
        XCTAssertGreaterThan(parts["xl/sharedStrings.xml"]?.utf8.count ?? 0, 10_500_000)
        XCTAssertGreaterThan(parts["xl/worksheets/sheet1.xml"]?.utf8.count ?? 0, 10_500_000)
        let result = try XLSXReader.csv(path: try write(parts), sheet: nil)
        XCTAssertEqual(result.rowNumbers.count, n)
        XCTAssertEqual(result.rowNumbers.last, n)
        let csv = text(result)
        XCTAssertTrue(csv.hasPrefix("\"\(n - 1) \(long)\",\"\(long)\"\n"))
        XCTAssertTrue(csv.hasSuffix("\n\"0 \(long)\",\"\(long)\"\n"))
    }

    // MARK: Bad input

    func testNotAZip() throws {
        let path = dir.appendingPathComponent("başvurular.xlsx").path
        try Data("no,kategori\n1,Çöp\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(XLSXReader.looksLikeXLSX(path: path))
        assertImportError(try XLSXReader.csv(path: path, sheet: nil), path: path, contains: ["not an .xlsx workbook"])

        let empty = dir.appendingPathComponent("empty.xlsx").path
        try Data().write(to: URL(fileURLWithPath: empty))
        assertImportError(try XLSXReader.csv(path: empty, sheet: nil), path: empty, contains: ["not an .xlsx workbook"])

        // Starts like a ZIP but is cut short.
        let cut = dir.appendingPathComponent("cut.xlsx").path
        try Data([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 60)).write(to: URL(fileURLWithPath: cut))
        XCTAssertTrue(XLSXReader.looksLikeXLSX(path: cut))
        assertImportError(try XLSXReader.csv(path: cut, sheet: nil), path: cut, contains: ["not an .xlsx workbook"])

        let missing = dir.appendingPathComponent("yok.xlsx").path
        XCTAssertFalse(XLSXReader.looksLikeXLSX(path: missing))
        assertImportError(try XLSXReader.csv(path: missing, sheet: nil), path: missing, contains: ["cannot read"])
    }

    func testEncryptedOrLegacyWorkbook() throws {
        let path = dir.appendingPathComponent("şifreli.xlsx").path
        let cfb: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        try Data(cfb + [UInt8](repeating: 0, count: 504)).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(XLSXReader.looksLikeXLSX(path: path))
        XCTAssertThrowsError(try XLSXReader.csv(path: path, sheet: nil)) { error in
            guard let e = error as? ImportError else { return XCTFail("not an ImportError: \(error)") }
            XCTAssertEqual(e.file, path)
            XCTAssertEqual(e.message, "encrypted or legacy .xls workbook: save it as .xlsx without a password, or as CSV")
        }
    }

    func testZipWithoutWorkbook() throws {
        let path = try write(["notlar.txt": "merhaba", "word/document.xml": "<document/>"])
        XCTAssertTrue(XLSXReader.looksLikeXLSX(path: path))
        assertImportError(try XLSXReader.csv(path: path, sheet: nil), path: path,
                          contains: ["not an .xlsx workbook", "xl/workbook.xml", "Word document"])
    }

    func testBinaryWorkbook() throws {
        let path = try write(["[Content_Types].xml": Self.contentTypes, "xl/workbook.bin": "binary"])
        assertImportError(try XLSXReader.csv(path: path, sheet: nil), path: path, contains: ["not an .xlsx workbook", ".xlsb"])
    }

    func testMalformedXMLNamesThePart() throws {
        let broken = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\n<row r=\"1\"><c r=\"A1\"><v>1</v></row></sheetData></worksheet>"
        let path = try write(Self.workbook(sheets: [("S", broken)]))
        assertImportError(try XLSXReader.csv(path: path, sheet: nil), path: path,
                          contains: ["xl/worksheets/sheet1.xml", "line 2", "malformed XML (mismatched or unfinished tags)"])

        var parts = Self.workbook(sheets: [("S", Self.sheet("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"))])
        parts["xl/sharedStrings.xml"] = "<sst><si><t>açık</si></sst>"
        let path2 = try write(parts, name: "broken-strings.xlsx")
        assertImportError(try XLSXReader.csv(path: path2, sheet: nil), path: path2, contains: ["xl/sharedStrings.xml", "malformed XML"])

        var parts3 = Self.workbook(sheets: [("S", Self.sheet(""))])
        parts3["xl/workbook.xml"] = "<workbook><sheets><sheet name=\"S\" r:id=\"rId1\"/>"
        let path3 = try write(parts3, name: "broken-workbook.xlsx")
        assertImportError(try XLSXReader.csv(path: path3, sheet: nil), path: path3, contains: ["xl/workbook.xml", "malformed XML"])
    }

    func testSharedStringIndexOutOfRangeNamesTheCell() throws {
        var rows = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
        rows += "<row r=\"12\"><c r=\"A12\" t=\"s\"><v>1</v></c><c r=\"C12\" t=\"s\"><v>7</v></c></row>"
        let path = try write(Self.workbook(sheets: [("Başvurular", Self.sheet(rows))],
                                           sharedStrings: "<si><t>no</t></si><si><t>Çöp</t></si>"))
        XCTAssertThrowsError(try XLSXReader.csv(path: path, sheet: nil)) { error in
            guard let e = error as? ImportError else { return XCTFail("not an ImportError: \(error)") }
            XCTAssertEqual(e.file, path)
            XCTAssertEqual(e.location, "sheet 'Başvurular', cell C12")
            XCTAssertTrue(e.message.contains("shared string index 7 is out of range"), e.message)
        }
        // The same, with no shared-string part at all.
        var parts = Self.workbook(sheets: [("Başvurular", Self.sheet(rows))])
        parts["xl/sharedStrings.xml"] = nil
        let path2 = try write(parts, name: "no-strings.xlsx")
        assertImportError(try XLSXReader.csv(path: path2, sheet: nil), path: path2, contains: ["sheet 'Başvurular', cell A1"])
    }

    func testEmptySheet() throws {
        let path = try write(Self.workbook(sheets: [
            ("Boş", Self.sheet("")),
            ("Biçimli", Self.sheet("<row r=\"1\" ht=\"20\"><c r=\"A1\" s=\"0\"/><c r=\"B1\" t=\"inlineStr\"><is><t></t></is></c></row><row r=\"2\"/>")),
        ]))
        XCTAssertThrowsError(try XLSXReader.csv(path: path, sheet: nil)) { error in
            XCTAssertEqual((error as? ImportError)?.message, "sheet 'Boş' has no rows")
        }
        assertImportError(try XLSXReader.csv(path: path, sheet: "Biçimli"), path: path, contains: ["sheet 'Biçimli' has no rows"])
    }

    // MARK: A real writer

    /// openpyxl writes shared strings, a styles part with its own date formats and typed numbers, as many
    /// Python-based exports do.
    func testWorkbookWrittenByOpenpyxl() throws {
        let python = "/usr/bin/python3"
        let probe = run(python, ["-c", "import openpyxl"])
        if probe != 0 {
            let why = "openpyxl is missing: install Debian's python3-openpyxl (apt-get install -y python3-openpyxl) for \(python)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { return XCTFail(why) }
            throw XCTSkip(why)
        }
        let path = dir.appendingPathComponent("openpyxl.xlsx").path
        let script = """
            import sys, datetime
            from openpyxl import Workbook
            wb = Workbook()
            ws = wb.active
            ws.title = "Başvurular"
            ws.append(["no", "kategori", "mahalle", "tarih", "gün", "enlem", "adet", "not"])
            ws.append([1, "Çöp", "İnönü", datetime.datetime(2024, 3, 5, 14, 30), datetime.date(2024, 3, 5), 36.951, 3, "şikayet, acil"])
            ws.append([2, 'Su "arızası"', None, datetime.datetime(2024, 3, 6, 8, 0, 0), datetime.date(2024, 3, 6), 36.0, -2.5, None])
            ws.append([])
            ws.append([3, "ş", None, None, None, 0.1, 1000000, "İ"])
            ws2 = wb.create_sheet("Özet")
            ws2["B2"] = "toplam"
            ws2["C2"] = 3
            wb.save(sys.argv[1])
            """
        XCTAssertEqual(run(python, ["-c", script, path]), 0, "openpyxl script failed")
        XCTAssertTrue(XLSXReader.looksLikeXLSX(path: path))

        let result = try XLSXReader.csv(path: path, sheet: nil)
        XCTAssertEqual(result.sheetName, "Başvurular")
        XCTAssertEqual(result.sheetNames, ["Başvurular", "Özet"])
        XCTAssertEqual(text(result), [
            "no,kategori,mahalle,tarih,gün,enlem,adet,not",
            #"1,Çöp,İnönü,2024-03-05T14:30:00,2024-03-05,36.951,3,"şikayet, acil""#,
            #"2,"Su ""arızası""",,2024-03-06T08:00:00,2024-03-06,36,-2.5,"#,
            "3,ş,,,,0.1,1000000,İ",
        ].joined(separator: "\n") + "\n")
        XCTAssertEqual(result.rowNumbers, [1, 2, 3, 5])

        let summary = try XLSXReader.csv(path: path, sheet: "Özet")
        XCTAssertEqual(text(summary), ",toplam,3\n")
        XCTAssertEqual(summary.rowNumbers, [2])
    }

    // MARK: Helpers

    private func text(_ r: XLSXSheetCSV) -> String { String(decoding: r.data, as: UTF8.self) }

    private func assertImportError<T>(_ body: @autoclosure () throws -> T, path: String, contains parts: [String],
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? ImportError else { return XCTFail("not an ImportError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.file, path, file: file, line: line)
            for p in parts { XCTAssertTrue(e.description.contains(p), "'\(e.description)' lacks '\(p)'", file: file, line: line) }
        }
    }

    private func run(_ executable: String, _ arguments: [String]) -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return -1 }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Zips the parts (name → XML text) into a new file under the test's folder.
    private func write(_ parts: [String: String], name: String = "test.xlsx") throws -> String {
        let url = dir.appendingPathComponent(name)
        let archive = try Archive(url: url, accessMode: .create)
        for (part, xml) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(xml.utf8)
            try archive.addEntry(with: part, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url.path
    }

    private static func column(_ i: Int) -> String {
        var n = i + 1, s = ""
        while n > 0 { n -= 1; s = String(UnicodeScalar(UInt8(65 + n % 26))) + s; n /= 26 }
        return s
    }

    private static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    private static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
        <Default Extension="xml" ContentType="application/xml"/>
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
        </Types>
        """

    private static let rootRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId1" Type="\(relNS)/officeDocument" Target="xl/workbook.xml"/>
        </Relationships>
        """

    private static func sheet(_ rows: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="\(main)" xmlns:r="\(relNS)"><dimension ref="A1"/><sheetData>\(rows)</sheetData>
        <pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>
        """
    }

    private static func sst(_ items: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"\(main)\">\(items)</sst>"
    }

    /// The parts of a workbook as Excel lays them out: sheet i is xl/worksheets/sheet(i+1).xml.
    private static func workbook(sheets: [(String, String)], sharedStrings: String? = nil, styles: String? = nil,
                                 workbookPr: String = "") -> [String: String] {
        var parts = ["[Content_Types].xml": contentTypes, "_rels/.rels": rootRels]
        var list = "", rels = ""
        for (i, s) in sheets.enumerated() {
            list += "<sheet name=\"\(s.0)\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
            rels += "<Relationship Id=\"rId\(i + 1)\" Type=\"\(relNS)/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
            parts["xl/worksheets/sheet\(i + 1).xml"] = s.1
        }
        if let sharedStrings {
            parts["xl/sharedStrings.xml"] = sst(sharedStrings)
            rels += "<Relationship Id=\"rId100\" Type=\"\(relNS)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        }
        if let styles {
            parts["xl/styles.xml"] = styles
            rels += "<Relationship Id=\"rId101\" Type=\"\(relNS)/styles\" Target=\"styles.xml\"/>"
        }
        parts["xl/workbook.xml"] = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="\(main)" xmlns:r="\(relNS)">\(workbookPr)<sheets>\(list)</sheets></workbook>
            """
        parts["xl/_rels/workbook.xml.rels"] = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(rels)</Relationships>
            """
        return parts
    }
}
