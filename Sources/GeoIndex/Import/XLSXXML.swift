import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A delegate that can stop the parse with an input error of its own (a bad shared-string index, say), which then
/// wins over the parser's "aborted" error, and that keeps the first XML error it is told of (see `XLSXXML.record`).
protocol XLSXFailingDelegate: XMLParserDelegate {
    var failure: ImportError? { get }
    var xmlError: XLSXXML.SyntaxError? { get set }
}

/// Runs Foundation's streaming XMLParser over one package part, so that every caller reports malformed XML the
/// same way: naming the part and the line.
enum XLSXXML {
    static func parse<D: XLSXFailingDelegate>(_ data: Data, part: String, file: String, delegate: D) throws {
        // libxml2 parses an empty document without complaint on Linux.
        guard data.contains(UInt8(ascii: "<")) else {
            throw ImportError(file: file, location: part, message: "malformed XML (the part is empty)")
        }
        // Fed as a stream, so libxml2 gets it in chunks: handed a whole part of more than 10 MB at once (a
        // 100,000-row sheet, or its shared strings), Linux's XMLParser reports error 1 at its very end.
        let parser = XMLParser(stream: InputStream(data: data))
        // Prefixes are stripped by hand (`localName`): writers differ in which prefix they bind, and the
        // namespace-processing path of XMLParser differs between Darwin and Linux in how it names attributes.
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure { throw failure }
        if let e = delegate.xmlError {
            throw ImportError(file: file, location: "\(part), line \(e.line)", message: "malformed XML (\(describe(e.code)))")
        }
        if !ok {
            throw ImportError(file: file, location: "\(part), line \(parser.lineNumber)",
                              message: "malformed XML (\(describe(parser.parserError.map { ($0 as NSError).code })))")
        }
    }

    struct SyntaxError {
        var code: Int
        var line: Int
    }

    /// Called from each delegate's `parseErrorOccurred`. On Linux, XMLParser runs libxml2 in recovery mode:
    /// `parse()` returns true after a mismatched tag and `parserError` ends up holding whichever error came
    /// last, so the first one is kept here and the parse stopped. Namespace errors (libxml2's 2xx codes, such as
    /// an undeclared prefix) do not make the text unreadable and are let through.
    static func record(_ parser: XMLParser, _ error: Error, into slot: inout SyntaxError?) {
        let code = (error as NSError).code
        if (200..<300).contains(code) || slot != nil { return }
        slot = SyntaxError(code: code, line: parser.lineNumber)
        parser.abortParsing()
    }

    /// XMLParser's localizedDescription on Linux is empty, and its ErrorCode enum does not line up with the codes it
    /// actually reports, which are libxml2's (`xmlParserErrors`, the same numbers as Darwin's NSXMLParser codes).
    private static func describe(_ code: Int?) -> String {
        switch code {
        case nil: return "the parser stopped"
        case 4?: return "the part is empty"
        case 5?, 86?: return "the part ends too early, or has text after its root element"
        case 8?, 9?: return "invalid character"
        case 23?, 26?: return "bad entity reference"
        case 38?, 39?, 40?, 41?, 42?: return "bad attribute"
        case 73?, 76?, 77?, 85?: return "mismatched or unfinished tags"
        case let c?: return "libxml2 error \(c)"
        }
    }

    /// "x:c" → "c". Hot: called for every element of a worksheet, and nearly always finds no colon.
    @inline(__always)
    static func localName(_ qName: String) -> Substring {
        var name = qName
        if let colon = name.withUTF8({ $0.lastIndex(of: 58) }) {
            let i = qName.utf8.index(qName.utf8.startIndex, offsetBy: colon + 1)
            return qName[i...]
        }
        return qName[...]
    }

    /// The value of an attribute by local name, whatever prefix it was written with (`r:id`, `ns1:id`…).
    static func attribute(_ attributes: [String: String], localName: String, prefixed: Bool) -> String? {
        if !prefixed { return attributes[localName] }
        for (key, value) in attributes where key.hasSuffix(":" + localName) { return value }
        return nil
    }
}

/// Hands each start element (local name, attributes, names of the enclosing elements) to a closure: enough for
/// the small parts — workbook, relationships, styles — where a DOM would be overkill and XMLDocument is missing
/// from some Foundation builds.
final class XLSXElementScanner: NSObject, XLSXFailingDelegate {
    var failure: ImportError?
    var xmlError: XLSXXML.SyntaxError?
    private(set) var path: [Substring] = []
    private let onStart: (XLSXElementScanner, Substring, [String: String]) -> Void

    init(onStart: @escaping (XLSXElementScanner, Substring, [String: String]) -> Void) {
        self.onStart = onStart
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let name = XLSXXML.localName(elementName)
        onStart(self, name, attributeDict)
        path.append(name)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = path.popLast()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        XLSXXML.record(parser, parseError, into: &xmlError)
    }

    /// True when the element being started sits directly inside `parent`.
    func isInside(_ parent: String) -> Bool { path.last.map { $0 == parent } ?? false }
}
