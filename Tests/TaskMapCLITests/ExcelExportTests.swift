import Foundation
import GeoIndex
import XCTest

/// The same rows as a plain CSV, as Turkish Excel's CSV (`;`, decimal comma, windows-1254, `05.03.2024 14:30:15`)
/// and as an .xlsx with real date cells — both made by `scripts/excel-export.py` (openpyxl, Python's codecs), not
/// by taskmap — import to the same store contents, with no flag but the file name.
final class ExcelExportTests: XCTestCase {
    func testTurkishExcelCSVAndXLSXImportLikeThePlainCSV() throws {
        try RealData.requirePython()
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = CLI.repo.appendingPathComponent("data/sample-parcels")
        func freshStore(_ name: String) throws -> String {
            let db = dir.appendingPathComponent(name).path
            let r = try CLI.run(["init", "--db", db, "--boundaries", m.appendingPathComponent("mahalle.geojson").path,
                                 "--parcels", m.appendingPathComponent("parcels.geojson").path,
                                 "--categories", m.appendingPathComponent("categories.csv").path])
            XCTAssertEqual(r.status, 0, r.err)
            return db
        }
        let plainDB = try freshStore("plain.sqlite")
        let plain = dir.appendingPathComponent("plain.csv").path
        XCTAssertEqual(try CLI.run(["generate", "--db", plainDB, "--count", "3000", "--seed", "11", "--out", plain]).status, 0)
        let tr = dir.appendingPathComponent("excel.csv").path
        let xlsx = dir.appendingPathComponent("excel.xlsx").path
        try RealData.python(["scripts/excel-export.py", "csv", plain, tr, "--date-style", "tr-seconds"])
        try RealData.python(["scripts/excel-export.py", "xlsx", plain, xlsx])
        // The Turkish file really is what the sniffer must undo.
        let raw = try Data(contentsOf: URL(fileURLWithPath: tr))
        XCTAssertNil(String(data: raw, encoding: .utf8), "windows-1254 bytes expected")
        XCTAssertTrue(raw.prefix(200).contains(UInt8(ascii: ";")))

        var dumps: [String: [String]] = [:]
        for (name, file) in [("plain", plain), ("excel-csv", tr), ("xlsx", xlsx)] {
            let db = name == "plain" ? plainDB : try freshStore("\(name).sqlite")
            let r = try CLI.run(["import", "--db", db, file])
            XCTAssertEqual(r.status, 0, "\(name): \(r.err)")
            XCTAssertTrue(r.out.contains("imported 3000 of 3000 rows"), "\(name): \(r.out)")
            switch name {
            case "excel-csv": XCTAssertTrue(r.out.contains("read as: ';' delimited, decimal comma, windows-1254"), r.out)
            case "xlsx": XCTAssertTrue(r.out.contains("read as: sheet 'Başvurular' of an .xlsx workbook"), r.out)
            default: break
            }
            dumps[name] = try Self.dump(db)
        }
        let reference = try XCTUnwrap(dumps["plain"])
        XCTAssertEqual(reference.count, 3000)
        for name in ["excel-csv", "xlsx"] {
            let d = try XCTUnwrap(dumps[name])
            XCTAssertEqual(d.count, reference.count, name)
            for (a, b) in zip(reference, d) where a != b { XCTFail("\(name): \(b)\n   plain: \(a)"); break }
        }
    }

    /// Every stored field of every complaint, in id order.
    static func dump(_ db: String) throws -> [String] {
        let s = try SpatiaLiteStore(path: db)
        var out: [String] = []
        for id in 1...Int64(try s.complaintCount()) {
            guard let c = try s.complaint(id: id) else { continue }
            let f = c.fields
            func t(_ d: Date?) -> String { d.map(Timestamp.format) ?? "-" }
            out.append([f.externalRef ?? "-", "\(f.location.lon)", "\(f.location.lat)", f.category, f.status.rawValue,
                        f.channel.rawValue, f.type.rawValue, t(f.createdAt), t(f.resolvedAt), f.satisfaction.map(String.init) ?? "-",
                        f.description ?? "-", c.address.mahalleName ?? "-", c.address.street ?? "-", c.address.doorNumber ?? "-"]
                .joined(separator: "|"))
        }
        return out
    }
}
