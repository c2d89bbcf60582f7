import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Streams one worksheet part into CSV bytes. Rows go into `out` as they come, each only as wide as its last
/// non-empty cell; `finish` then pads every row to the widest one, which is known only at the end.
final class XLSXSheetParser: NSObject, XLSXFailingDelegate {
    var failure: ImportError?
    var xmlError: XLSXXML.SyntaxError?

    private let file: String
    private let sheetName: String
    private let strings: XLSXSharedStrings
    private let styles: XLSXStyles
    private let date1904: Bool

    private var out: [UInt8] = []
    private var rowEnds: [Int] = []
    private var rowFields: [Int] = []
    private(set) var rowNumbers: [Int] = []
    private(set) var width = 0

    private var inSheetData = false
    private var rowNumber = 0
    private var rowStart = 0
    private var fieldCount = 0
    private var nextColumn = 0

    private enum CellType { case number, shared, text, inline, bool, error }
    private var inCell = false
    private var column = 0
    private var cellRef: String?
    private var cellType = CellType.number
    private var cellStyle = 0
    private var capturing = false
    private var inInline = false
    private var phoneticDepth = 0
    private var value: [UInt8] = []

    init(file: String, sheetName: String, strings: XLSXSharedStrings, styles: XLSXStyles, date1904: Bool, sizeHint: Int) {
        self.file = file
        self.sheetName = sheetName
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
        out.reserveCapacity(max(sizeHint / 4, 1024))
    }

    /// The CSV text: every row padded with empty fields to `width`, each ended by "\n".
    func finish() -> Data {
        var csv = [UInt8]()
        csv.reserveCapacity(out.count + rowEnds.count * 2)
        var start = 0
        for (i, end) in rowEnds.enumerated() {
            csv.append(contentsOf: out[start..<end])
            let missing = width - rowFields[i]
            if missing > 0 { csv.append(contentsOf: repeatElement(UInt8(ascii: ","), count: missing)) }
            csv.append(0x0A)
            start = end
        }
        return Data(csv)
    }

    private func fail(_ parser: XMLParser, _ message: String) {
        if failure == nil {
            let ref = cellRef ?? (Self.columnName(column) + String(rowNumber))
            failure = ImportError(file: file, location: "sheet '\(sheetName)', cell \(ref)", message: message)
        }
        parser.abortParsing()
    }

    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.append(UInt8(65 + n % 26))
            n /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// The column of "B7" (0-based: A = 0, AA = 26); nil unless it is letters then digits within XFD.
    private static func column(of ref: String) -> Int? {
        var ref = ref
        return ref.withUTF8 { b -> Int? in
            var col = 0, i = 0
            while i < b.count {
                let c = b[i] | 0x20
                guard c >= 97 && c <= 122 else { break }
                col = col * 26 + Int(c - 96)
                if col > 16_384 { return nil }
                i += 1
            }
            guard i > 0, i < b.count else { return nil }
            while i < b.count {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                i += 1
            }
            return col - 1
        }
    }

    private static func integer(_ s: String) -> Int? {
        var s = s
        return s.withUTF8 { b -> Int? in
            guard !b.isEmpty, b.count < 10 else { return nil }
            var v = 0
            for c in b {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let name = XLSXXML.localName(elementName)
        if inCell {
            switch name {
            case "v": capturing = true
            case "is": inInline = true
            case "t" where inInline && phoneticDepth == 0: capturing = true
            case "rPh": phoneticDepth += 1
            default: break
            }
            return
        }
        switch name {
        case "c" where inSheetData:
            startCell(parser, attributeDict)
        case "row" where inSheetData:
            if let r = attributeDict["r"] {
                guard let n = Self.integer(r), n >= 1 else {
                    failure = ImportError(file: file, location: "sheet '\(sheetName)'", message: "bad row number '\(r)'")
                    parser.abortParsing()
                    return
                }
                rowNumber = n
            } else {
                rowNumber += 1  // rows without r follow the previous one
            }
            rowStart = out.count
            fieldCount = 0
            nextColumn = 0
        case "sheetData":
            inSheetData = true
        default:
            break
        }
    }

    private func startCell(_ parser: XMLParser, _ attrs: [String: String]) {
        inCell = true
        value.removeAll(keepingCapacity: true)
        capturing = false
        inInline = false
        phoneticDepth = 0
        // One pass over the (two or three) attributes is cheaper than three hashed lookups, a million times over.
        var ref: String?, type: String?, style: String?
        for (key, value) in attrs {
            switch key {
            case "r": ref = value
            case "t": type = value
            case "s": style = value
            default: break
            }
        }
        cellRef = ref
        if let ref {
            guard let c = Self.column(of: ref) else { return fail(parser, "bad cell reference") }
            guard c >= nextColumn else { return fail(parser, "cell is out of order in its row") }
            column = c
        } else {
            column = nextColumn  // cells without r follow the previous one
            guard column < 16_384 else { return fail(parser, "row has more than 16384 columns") }
        }
        nextColumn = column + 1
        cellStyle = style.flatMap(Self.integer) ?? 0
        switch type {
        case nil, "n"?: cellType = .number
        case "s"?: cellType = .shared
        case "inlineStr"?: cellType = .inline
        case "b"?: cellType = .bool
        case "e"?: cellType = .error
        default: cellType = .text  // "str" (formula result), "d" (ISO date text)
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let name = XLSXXML.localName(elementName)
        if inCell {
            switch name {
            case "v", "t": capturing = false
            case "is": inInline = false
            case "rPh": phoneticDepth -= 1
            case "c":
                inCell = false
                endCell(parser)
            default: break
            }
            return
        }
        switch name {
        case "row":
            if fieldCount > 0 {
                rowEnds.append(out.count)
                rowFields.append(fieldCount)
                rowNumbers.append(rowNumber)
                if fieldCount > width { width = fieldCount }
            } else {
                out.removeSubrange(rowStart...)  // nothing is written for empty cells, but be sure
            }
        case "sheetData":
            inSheetData = false
        default:
            break
        }
    }

    /// Writes the separators up to this cell's column, then the value; an empty value writes nothing, so
    /// trailing empty cells never widen a row.
    private func endCell(_ parser: XMLParser) {
        if value.isEmpty { return }
        let mark = out.count
        let separators = fieldCount == 0 ? column : column - fieldCount + 1
        out.append(contentsOf: repeatElement(UInt8(ascii: ","), count: separators))
        let valueStart = out.count
        switch cellType {
        case .number:
            let kind = styles.kind(cellStyle)
            if kind != .number, let serial = Double(String(decoding: value, as: UTF8.self)),
               XLSXFieldFormat.appendDate(serial: serial, kind: kind, date1904: date1904, into: &out) {
                break
            }
            XLSXFieldFormat.appendNumber(value, into: &out)
        case .shared:
            guard let i = Self.integer(String(decoding: value, as: UTF8.self)) else {
                return fail(parser, "shared string index '\(String(decoding: value.prefix(20), as: UTF8.self))' is not a number")
            }
            guard let r = strings.range(i) else {
                return fail(parser, "shared string index \(i) is out of range (the workbook has \(strings.count) shared strings)")
            }
            out.append(contentsOf: strings.bytes[r])
        case .bool:
            switch value {
            case [49], Array("true".utf8), Array("TRUE".utf8): out.append(contentsOf: "TRUE".utf8)
            case [48], Array("false".utf8), Array("FALSE".utf8): out.append(contentsOf: "FALSE".utf8)
            default: XLSXFieldFormat.appendText(value, into: &out)
            }
        case .text, .inline, .error:
            XLSXFieldFormat.appendText(value, into: &out)
        }
        if out.count == valueStart {
            out.removeSubrange(mark...)  // the value came out empty (an empty shared string, say)
        } else {
            fieldCount = column + 1
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if capturing { value.append(contentsOf: string.utf8) }
    }

    func parser(_ parser: XMLParser, foundIgnorableWhitespace whitespaceString: String) {
        if capturing { value.append(contentsOf: whitespaceString.utf8) }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        XLSXXML.record(parser, parseError, into: &xmlError)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if capturing { value.append(contentsOf: CDATABlock) }
    }
}
