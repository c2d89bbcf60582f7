import Foundation
import XCTest
@testable import GeoIndex

/// A call centre's export as it comes: sniffed delimiter, decimal comma, encoding and dates; `--columns`,
/// `--values`, unknown channels kept as `other`, closing times before the opening dropped but the row kept.
final class ExportDialectTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func importing(_ data: Data, options: ComplaintImporter.Options = .init()) throws -> (ComplaintImporter.Summary, SpatiaLiteStore) {
        let sub = try Fixtures.tempDir()
        let s = try Fixtures.store(in: sub)
        let input = sub.appendingPathComponent("in.csv").path
        FileManager.default.createFile(atPath: input, contents: data)
        return (try ComplaintImporter(store: s, options: options).importFile(input), s)
    }

    /// The same two complaints written six ways read back to the same fields.
    func testDialectsAreSniffedAndReadAlike() throws {
        let rows: [(String, String)] = [
            ("plain", "id,lon,lat,category,created_at,description\n1,36.92,37.57,yol,2024-03-05T14:30:00+03:00,Çukur\n2,36.93,37.58,cop,2024-03-06 09:00,Çöp\n"),
            ("excel", "id;lon;lat;category;created_at;description\r\n1;36,92;37,57;yol;05.03.2024 14:30;Çukur\r\n2;36,93;37,58;cop;06.03.2024 09:00:00;Çöp\r\n"),
            ("tab", "id\tlon\tlat\tcategory\tcreated_at\tdescription\n1\t36.92\t37.57\tyol\t05.03.2024 14:30\tÇukur\n2\t36.93\t37.58\tcop\t06.03.2024 09:00\tÇöp\n"),
            ("pipe", "id|lon|lat|category|created_at|description\n1|36,92|37,57|yol|05/03/2024 14:30|Çukur\n2|36,93|37,58|cop|26/03/2024 09:00|Çöp\n"),
        ]
        var reference: [String]?
        for (name, text) in rows {
            var data = Data(text.utf8)
            if name == "excel" { data = Data([0xEF, 0xBB, 0xBF]) + data }
            let (sum, s) = try importing(data)
            XCTAssertEqual(sum.imported, 2, name)
            let got = try (1...2).map { id -> String in
                let c = try XCTUnwrap(s.complaint(id: Int64(id)))
                return "\(c.fields.location.lon),\(c.fields.location.lat),\(c.fields.category),\(c.fields.description ?? "")"
            }
            if let reference { XCTAssertEqual(got, reference, name) } else { reference = got }
            switch name {
            case "excel": XCTAssertEqual(sum.report.readAs.prefix(46), "';' delimited, decimal comma, utf-8 with BOM, ")
            case "tab": XCTAssertTrue(sum.report.readAs.hasPrefix("tab delimited, decimal point"), sum.report.readAs)
            case "pipe": XCTAssertTrue(sum.report.readAs.hasPrefix("'|' delimited, decimal comma"), sum.report.readAs)
            default: XCTAssertTrue(sum.report.readAs.hasPrefix("',' delimited, decimal point, utf-8"), sum.report.readAs)
            }
            // 14:30 Istanbul = 11:30Z whichever way it was written.
            XCTAssertEqual(Timestamp.format(try XCTUnwrap(s.complaint(id: 1)).fields.createdAt), "2024-03-05T11:30:00Z", name)
        }
    }

    /// Windows-1254 (Excel on Turkish Windows): ğ, ı, ş, İ, Ş, Ğ come back as themselves.
    func testWindows1254IsDetectedAndDecoded() throws {
        var d = Data("id;lon;lat;category;created_at;description\r\n1;36,92;37,57;yol;05.03.2024 14:30;".utf8)
        d.append(contentsOf: [0xDD, 0x73, 0x6B, 0x65, 0x6C, 0x65, 0x20, 0xFD, 0xFE, 0xFD, 0x6B, 0x20, 0xF0, 0xD0, 0xDE])  // İskele ışık ğĞŞ
        d.append(contentsOf: Array("\r\n".utf8))
        let (sum, s) = try importing(d)
        XCTAssertTrue(sum.report.readAs.contains("windows-1254"), sum.report.readAs)
        XCTAssertEqual(try s.complaint(id: 1)?.fields.description, "İskele ışık ğĞŞ")
        XCTAssertEqual(TextEncoding.cp1254[0x80 - 0x80], Array("€".utf8))
    }

    func testColumnsMappingWithUnnamedAndRepeatedHeaderCells() throws {
        var o = ComplaintImporter.Options()
        o.mapping.columns = try ImportMapping.parseColumns("category=TUR,created_at=ACILIS,lat=ENLEM,lon=BOYLAM,id=NO")
        try o.mapping.addValues("channel:Alo Hattı=phone,channel:Mobil Uygulama=mobile,category:Yol Çukuru=yol")
        let text = ",NO,TUR,ACILIS,X,X,BOYLAM,ENLEM,channel\n0,A-1,Yol Çukuru,2024-03-05 10:00,a,b,36.92,37.57,Alo Hattı\n1,A-2,cop,2024-03-05 11:00,a,b,36.93,37.58,Faks\n"
        let (sum, s) = try importing(Data(text.utf8), options: o)
        XCTAssertEqual(sum.imported, 2)
        let a = try XCTUnwrap(s.complaint(id: 1)), b = try XCTUnwrap(s.complaint(id: 2))
        XCTAssertEqual(a.fields.externalRef, "A-1")
        XCTAssertEqual(a.fields.category, "yol")
        XCTAssertEqual(a.fields.channel, .phone)
        XCTAssertNil(a.fields.channelText)
        // An unknown channel is kept as 'other' with its text, and reported once with its count.
        XCTAssertEqual(b.fields.channel, .other)
        XCTAssertEqual(b.fields.channelText, "Faks")
        XCTAssertEqual(sum.report.unknownValues.map { "\($0.field):\($0.text):\($0.count)" }, ["channel:Faks:1"])
    }

    func testClosingBeforeOpeningIsDroppedNotTheRow() throws {
        let text = "id,lon,lat,category,created_at,resolved_at,status\n1,36.92,37.57,yol,2024-01-05,2024-01-04,closed\n2,36.92,37.57,yol,2024-01-05,2024-01-06,closed\n"
        let (sum, s) = try importing(Data(text.utf8))
        XCTAssertEqual(sum.imported, 2)
        XCTAssertNil(try s.complaint(id: 1)?.fields.resolvedAt)
        XCTAssertEqual(try s.complaint(id: 1)?.fields.dataIssues, .resolvedAtDropped)
        XCTAssertNotNil(try s.complaint(id: 2)?.fields.resolvedAt)
        XCTAssertEqual(sum.report.timesDroppedCount, 1)
        XCTAssertEqual(sum.report.timesDropped, [2])
        XCTAssertEqual(try s.qualityReport().timesDropped, 1)
    }

    func testUSDatesAreSniffedMonthFirstAndTimeZoneApplies() throws {
        var o = ComplaintImporter.Options()
        o.timeZone = TimeZone(identifier: "America/New_York")
        let text = "id,lon,lat,category,created_at\n1,36.92,37.57,yol,01/14/2015 03:04:41 PM\n2,36.92,37.57,yol,07/04/2015 12:00:00 AM\n"
        let (sum, s) = try importing(Data(text.utf8), options: o)
        XCTAssertEqual(sum.imported, 2)
        XCTAssertEqual(Timestamp.format(try XCTUnwrap(s.complaint(id: 1)).fields.createdAt), "2015-01-14T20:04:41Z")  // EST
        XCTAssertEqual(Timestamp.format(try XCTUnwrap(s.complaint(id: 2)).fields.createdAt), "2015-07-04T04:00:00Z")  // EDT, midnight
        XCTAssertTrue(sum.report.readAs.contains("mm/dd/yyyy"), sum.report.readAs)
    }

    func testDateParserCases() throws {
        let p = try DateParser(formats: ["%d.%m.%Y %H:%M", "%e %b %Y", "%Y%m%d"])
        XCTAssertEqual(p.parse("05.03.2024 14:30").map { Timestamp.format(unix: $0) }, "2024-03-05T11:30:00Z")
        XCTAssertEqual(p.parse("5.3.2024 14:30").map { Timestamp.format(unix: $0) }, "2024-03-05T11:30:00Z")
        XCTAssertEqual(p.parse("5 Şub 2024").map { Timestamp.format(unix: $0) }, "2024-02-04T21:00:00Z")
        XCTAssertEqual(p.parse("5 Feb 2024").map { Timestamp.format(unix: $0) }, "2024-02-04T21:00:00Z")
        XCTAssertNil(p.parse("31.02.2024 10:00"))
        XCTAssertNil(p.parse("05.03.2024 14:30 extra"))
        XCTAssertThrowsError(try DateParser(formats: ["%d.%m.%Q"]))
        XCTAssertThrowsError(try DateParser(formats: ["%H:%M"]))
        XCTAssertThrowsError(try DateParser(formats: ["%m/%d/%Y %I:%M"]))  // %I without %p
        let auto = DateParser.automatic()
        for s in ["2024-03-05T14:30:00+03:00", "2024-03-05 14:30", "05.03.2024 14:30", "05.03.2024 14:30:00", "05-03-2024 14:30"] {
            XCTAssertEqual(auto.parse(s).map { Timestamp.format(unix: $0) }, "2024-03-05T11:30:00Z", s)
        }
        XCTAssertEqual(DateParser.sniffSlashOrder(["01/14/2015 03:04:41 PM"]), .monthFirst)
        XCTAssertEqual(DateParser.sniffSlashOrder(["14/01/2015"]), .dayFirst)
        XCTAssertEqual(DateParser.sniffSlashOrder(["01/02/2015"]), .undecided)
        XCTAssertEqual(DateParser.sniffSlashOrder(["14/01/2015", "01/14/2015"]), .contradictory)
    }

    func testMappingErrors() {
        XCTAssertThrowsError(try ImportMapping.parseColumns("kategori=TYPE"))
        XCTAssertThrowsError(try ImportMapping.parseColumns("category"))
        XCTAssertThrowsError(try ImportMapping.parseColumns("category=A,category=B"))
        var m = ImportMapping()
        XCTAssertThrowsError(try m.addValues("channel:Constituent Call=fax"))
        XCTAssertThrowsError(try m.addValues("colour:Red=phone"))
        XCTAssertNoThrow(try m.addValues("status:Kapatıldı=closed"))
        XCTAssertEqual(m.value("status", "KAPATILDI"), "closed")
    }

    /// The stack report: one coordinate with an unusual share; `--exclude-stacks` flags it for the heat maps.
    func testStacksAreFoundAndFlagged() throws {
        var text = "id,lon,lat,category,created_at\n"
        for i in 0..<300 {
            let p = i < 120 ? "36.9300,37.5800" : String(format: "%.5f,%.5f", 36.90 + Double(i % 97) * 0.0007, 37.56 + Double(i % 89) * 0.0005)
            text += "\(i),\(p),yol,2024-03-05 10:00\n"
        }
        var o = ComplaintImporter.Options()
        o.excludeStacks = true
        let (sum, s) = try importing(Data(text.utf8), options: o)
        XCTAssertEqual(sum.report.stackThreshold, 50)
        XCTAssertEqual(sum.report.stacks.map(\.count), [120])
        XCTAssertEqual(sum.report.stacks.first?.location, LonLat(lon: 36.93, lat: 37.58))
        let snap = try s.loadSnapshot()
        XCTAssertTrue(snap.hasStackExcluded)
        var flagged = 0, all = 0
        snap.forEach(filter: CompiledFilter()) { r in all += 1; if r.flags != 0 { flagged += 1 } }
        XCTAssertEqual(all, 300)
        XCTAssertEqual(flagged, 120)
        var f = ComplaintFilter()
        f.excludeStacks = true
        var kept = 0
        snap.forEach(filter: snap.compile(f)) { _ in kept += 1 }
        XCTAssertEqual(kept, 180)
        // Store-wide: the same stack, and the flags can be cleared.
        let q = try s.qualityReport(stackThreshold: 100)
        XCTAssertEqual(q.stacks.map(\.count), [120])
        XCTAssertEqual(q.flagged, 120)
        XCTAssertEqual(try s.flagStacks([]), 0)
        XCTAssertFalse(try s.loadSnapshot().hasStackExcluded)
    }
}
