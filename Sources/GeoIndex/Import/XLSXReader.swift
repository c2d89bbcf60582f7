import Foundation

/// Reads .xlsx workbooks (Office Open XML spreadsheets) as CSV text, so that call-centre exports saved from
/// Excel go through the same CSV import as everything else.
public enum XLSXReader {
    private static let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// An empty ZIP archive starts with its end-of-central-directory record.
    private static let emptyZipSignature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
    /// OLE2 compound file: old .xls, and also what Excel wraps a password-protected .xlsx in.
    private static let cfbSignature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Whether the file starts like a ZIP archive (PK\x03\x04) — used to detect .xlsx by content.
    public static func looksLikeXLSX(path: String) -> Bool {
        (try? head(path, 4)) == zipSignature
    }

    /// Reads one worksheet (by name; nil = the first sheet in workbook order) and returns it as RFC 4180 CSV
    /// (comma-delimited, UTF-8 without BOM, "\n" line ends, fields quoted only when they contain , " \r or \n,
    /// embedded quotes doubled). Row i of the CSV is sheet row `rowNumbers[i]` (1-based, as Excel numbers them).
    ///
    /// With a nil `sheet`, chart sheets are passed over: the first sheet that has cells is read.
    public static func csv(path: String, sheet: String?) throws -> XLSXSheetCSV {
        try checkSignature(path)
        let package = try XLSXPackage(path: path)
        let workbook = try package.workbook()
        let names = workbook.sheets.map(\.name)
        let chosen = try choose(sheet, in: workbook, file: path)
        let location = "sheet '\(chosen.name)'"
        guard let part = chosen.part, let sheetData = try package.read(part) else {
            throw ImportError(file: path, location: location,
                              message: "the workbook names this sheet but its part \(chosen.part ?? "(no relationship)") is missing")
        }

        var strings = XLSXSharedStrings()
        if let p = workbook.sharedStringsPart, let data = try package.read(p) {
            strings = try XLSXSharedStrings(data: data, part: p, file: path)
        }
        var styles = XLSXStyles()
        if let p = workbook.stylesPart, let data = try package.read(p) {
            styles = try XLSXStyles(data: data, part: p, file: path)
        }

        let parser = XLSXSheetParser(file: path, sheetName: chosen.name, strings: strings, styles: styles,
                                     date1904: workbook.date1904, sizeHint: sheetData.count)
        try XLSXXML.parse(sheetData, part: part, file: path, delegate: parser)
        guard !parser.rowNumbers.isEmpty else {
            throw ImportError(file: path, message: "sheet '\(chosen.name)' has no rows")
        }
        return XLSXSheetCSV(sheetName: chosen.name, data: parser.finish(), rowNumbers: parser.rowNumbers, sheetNames: names)
    }

    private static func choose(_ wanted: String?, in workbook: XLSXPackage.Workbook, file: String) throws -> XLSXPackage.Sheet {
        let sheets = workbook.sheets
        guard !sheets.isEmpty else { throw ImportError(file: file, message: "the workbook lists no sheets") }
        guard let wanted else {
            guard let first = sheets.first(where: { $0.kind == "worksheet" }) else {
                throw ImportError(file: file, message: "the workbook has no worksheets (only chart or other sheets)")
            }
            return first
        }
        // Exact first; then a case-insensitive match, if only one sheet fits, for names typed on a command line.
        let found = sheets.first { $0.name == wanted }
            ?? { () -> XLSXPackage.Sheet? in
                let loose = sheets.filter { $0.name.caseInsensitiveCompare(wanted) == .orderedSame }
                return loose.count == 1 ? loose[0] : nil
            }()
        guard let sheet = found else {
            let list = sheets.map { "'\($0.name)'" }.joined(separator: ", ")
            throw ImportError(file: file, message: "no sheet named '\(wanted)'; the workbook has \(list)")
        }
        guard sheet.kind == "worksheet" else {
            throw ImportError(file: file, location: "sheet '\(sheet.name)'",
                              message: "is a \(sheet.kind), not a worksheet with cells")
        }
        return sheet
    }

    private static func checkSignature(_ path: String) throws {
        let bytes: [UInt8]
        do { bytes = try head(path, 8) } catch {
            throw ImportError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
        if bytes == cfbSignature {
            throw ImportError(file: path, message: "encrypted or legacy .xls workbook: save it as .xlsx without a password, or as CSV")
        }
        let four = Array(bytes.prefix(4))
        guard four == zipSignature || four == emptyZipSignature else {
            throw ImportError(file: path, message: bytes.isEmpty
                              ? "not an .xlsx workbook: the file is empty"
                              : "not an .xlsx workbook: it does not start like a ZIP archive")
        }
    }

    private static func head(_ path: String, _ count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }
}

/// One worksheet turned into CSV text, with what the importer needs to point people back at the workbook.
public struct XLSXSheetCSV: Sendable {
    /// The sheet that was read.
    public var sheetName: String
    /// RFC 4180 CSV, UTF-8 without BOM, "\n" line ends; every row as wide as the widest.
    public var data: Data
    /// `rowNumbers[i]` is the sheet row (1-based, as Excel numbers them) that CSV row i came from; empty
    /// rows are skipped, so they can differ from i + 1.
    public var rowNumbers: [Int]
    /// Every sheet of the workbook, in workbook order.
    public var sheetNames: [String]

    public init(sheetName: String, data: Data, rowNumbers: [Int], sheetNames: [String]) {
        self.sheetName = sheetName; self.data = data; self.rowNumbers = rowNumbers; self.sheetNames = sheetNames
    }
}
