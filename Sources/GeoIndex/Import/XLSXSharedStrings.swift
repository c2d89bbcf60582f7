import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The shared-string table (`xl/sharedStrings.xml`), kept as one byte buffer of ready-to-write CSV fields
/// (already `_xHHHH_`-decoded and quoted where needed), so that a string cell costs one copy.
struct XLSXSharedStrings {
    private(set) var bytes: [UInt8] = []
    /// `ends[i]` is where string i stops in `bytes`; it starts where string i-1 stopped.
    private(set) var ends: [Int] = []

    var count: Int { ends.count }

    init() {}

    init(data: Data, part: String, file: String) throws {
        let delegate = Loader()
        try XLSXXML.parse(data, part: part, file: file, delegate: delegate)
        bytes = delegate.table.bytes
        ends = delegate.table.ends
    }

    @inline(__always)
    func range(_ i: Int) -> Range<Int>? {
        guard i >= 0 && i < ends.count else { return nil }
        return (i == 0 ? 0 : ends[i - 1])..<ends[i]
    }

    mutating func append(text: [UInt8]) {
        XLSXFieldFormat.appendText(text, into: &bytes)
        ends.append(bytes.count)
    }

    /// `<si>` holds either one `<t>` or rich-text runs `<r><t>…</t></r>`, whose texts are concatenated;
    /// `<rPh>` holds phonetic guides (furigana), which are not part of the cell's text.
    private final class Loader: NSObject, XLSXFailingDelegate {
        var failure: ImportError?
        var xmlError: XLSXXML.SyntaxError?
        var table = XLSXSharedStrings()
        private var inItem = false
        private var inText = false
        private var phoneticDepth = 0
        private var text: [UInt8] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            switch XLSXXML.localName(elementName) {
            case "si":
                inItem = true
                text.removeAll(keepingCapacity: true)
            case "t" where inItem && phoneticDepth == 0:
                inText = true
            case "rPh":
                phoneticDepth += 1
            case "sst":
                if let n = attributeDict["uniqueCount"].flatMap({ Int($0) }), n > 0, n < 50_000_000 {
                    table.ends.reserveCapacity(n)
                }
            default:
                break
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            switch XLSXXML.localName(elementName) {
            case "si":
                table.append(text: text)
                inItem = false
            case "t":
                inText = false
            case "rPh":
                phoneticDepth -= 1
            default:
                break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { text.append(contentsOf: string.utf8) }
        }

        // Whitespace-only text (a cell that is just spaces, kept by xml:space="preserve") may arrive here.
        func parser(_ parser: XMLParser, foundIgnorableWhitespace whitespaceString: String) {
            if inText { text.append(contentsOf: whitespaceString.utf8) }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            XLSXXML.record(parser, parseError, into: &xmlError)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if inText { text.append(contentsOf: CDATABlock) }
        }
    }
}
