import Foundation
import ZIPFoundation

/// The ZIP side of a workbook: finding parts by name, inflating them, and following relationships from the
/// package root to the workbook and from the workbook to its sheets, shared strings and styles.
struct XLSXPackage {
    struct Sheet {
        var name: String
        /// Part name inside the archive, e.g. "xl/worksheets/sheet1.xml"; nil when the r:id leads nowhere.
        var part: String?
        /// "worksheet", "chartsheet", "dialogsheet", "macrosheet" — from the relationship type.
        var kind: String
    }

    struct Workbook {
        var part: String
        var sheets: [Sheet]
        var date1904: Bool
        var sharedStringsPart: String?
        var stylesPart: String?
    }

    let file: String
    private let archive: Archive
    /// Part names as stored, keyed by their lowercased form: OPC part names compare case-insensitively.
    private let entries: [String: Entry]

    /// Parts bigger than this are refused rather than inflated: a ZIP bomb would otherwise eat the memory.
    static let maxPartSize: UInt64 = 1 << 30

    init(path: String) throws {
        file = path
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ImportError(file: path, message: "not an .xlsx workbook: the ZIP archive is damaged or incomplete")
        }
        var map: [String: Entry] = [:]
        for entry in archive where entry.type == .file {
            map[Self.normalize(entry.path)] = entry
        }
        entries = map
    }

    private static func normalize(_ name: String) -> String {
        var n = name.replacingOccurrences(of: "\\", with: "/")
        while n.hasPrefix("/") { n.removeFirst() }
        return n.lowercased()
    }

    func has(_ part: String) -> Bool { entries[Self.normalize(part)] != nil }

    /// The inflated bytes of `part`, or nil when the archive has no such part.
    func read(_ part: String) throws -> Data? {
        guard let entry = entries[Self.normalize(part)] else { return nil }
        guard entry.uncompressedSize <= Self.maxPartSize else {
            throw ImportError(file: file, location: part, message: "part is larger than 1 GiB uncompressed")
        }
        var data = Data()
        data.reserveCapacity(Int(entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, bufferSize: 256 * 1024) { data.append($0) }
        } catch {
            throw ImportError(file: file, location: part, message: "cannot decompress: the ZIP archive is damaged (\(error))")
        }
        return data
    }

    func workbook() throws -> Workbook {
        let rootRels = try relationships(of: "")
        let office = rootRels.first { $0.type.hasSuffix("/officeDocument") }?.target
        var part = "xl/workbook.xml"
        if let office, has(office) {
            part = office
        } else if let declared = try mainPartFromContentTypes(), has(declared) {
            part = declared
        }
        guard let data = try read(part) else {
            var why = "not an .xlsx workbook: the ZIP archive has no xl/workbook.xml"
            if has("xl/workbook.bin") { why += " (it is a binary .xlsb workbook: save it as .xlsx)" }
            else if has("word/document.xml") { why += " (it is a Word document)" }
            else if has("ppt/presentation.xml") { why += " (it is a PowerPoint presentation)" }
            else if has("content.xml") { why += " (it looks like an OpenDocument file: save it as .xlsx)" }
            throw ImportError(file: file, message: why)
        }
        var sheets: [(name: String, rid: String?)] = []
        var date1904 = false
        let scanner = XLSXElementScanner { _, name, attrs in
            if name == "sheet", let sheetName = attrs["name"] {
                sheets.append((sheetName, XLSXXML.attribute(attrs, localName: "id", prefixed: true)))
            } else if name == "workbookPr", let d = attrs["date1904"] {
                date1904 = d == "1" || d.lowercased() == "true"
            }
        }
        try XLSXXML.parse(data, part: part, file: file, delegate: scanner)

        let rels = try relationships(of: part)
        var byId: [String: Relationship] = [:]
        for r in rels { byId[r.id] = r }
        let resolved = sheets.map { s -> Sheet in
            guard let rid = s.rid, let rel = byId[rid] else { return Sheet(name: s.name, part: nil, kind: "worksheet") }
            let kind = rel.type.split(separator: "/").last.map(String.init) ?? "worksheet"
            return Sheet(name: s.name, part: rel.target, kind: kind)
        }
        func target(_ type: String, fallback: String) -> String? {
            if let r = rels.first(where: { $0.type.hasSuffix("/" + type) }), has(r.target) { return r.target }
            return has(fallback) ? fallback : nil
        }
        let dir = Self.directory(of: part)
        return Workbook(part: part, sheets: resolved, date1904: date1904,
                        sharedStringsPart: target("sharedStrings", fallback: dir + "sharedStrings.xml"),
                        stylesPart: target("styles", fallback: dir + "styles.xml"))
    }

    /// The workbook part as `[Content_Types].xml` declares it (`…spreadsheetml.sheet.main+xml`, or the
    /// template and macro-enabled variants): the way in when a writer left out `_rels/.rels`.
    private func mainPartFromContentTypes() throws -> String? {
        let part = "[Content_Types].xml"
        guard let data = try read(part) else { return nil }
        var found: String?
        let scanner = XLSXElementScanner { _, name, attrs in
            guard found == nil, name == "Override", let type = attrs["ContentType"], let partName = attrs["PartName"],
                  type.contains("spreadsheetml"), type.hasSuffix(".main+xml") else { return }
            found = Self.resolve(partName, from: "")
        }
        try XLSXXML.parse(data, part: part, file: file, delegate: scanner)
        return found
    }

    struct Relationship {
        var id: String
        var type: String
        /// Resolved to a part name from the archive root.
        var target: String
    }

    /// The relationships of `source` ("" for the package itself): `dir/_rels/name.rels`. A missing .rels part is
    /// no relationships; external targets (hyperlinks) are dropped.
    func relationships(of source: String) throws -> [Relationship] {
        let dir = Self.directory(of: source)
        let name = source.split(separator: "/").last.map(String.init) ?? ""
        let relsPart = dir + "_rels/" + name + ".rels"
        guard let data = try read(relsPart) else { return [] }
        var out: [Relationship] = []
        let scanner = XLSXElementScanner { _, element, attrs in
            guard element == "Relationship", let id = attrs["Id"], let target = attrs["Target"],
                  attrs["TargetMode"] != "External" else { return }
            out.append(Relationship(id: id, type: attrs["Type"] ?? "", target: Self.resolve(target, from: dir)))
        }
        try XLSXXML.parse(data, part: relsPart, file: file, delegate: scanner)
        return out
    }

    static func directory(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return "" }
        return String(part[...slash])
    }

    /// Relationship targets are URIs: relative to the source part's folder, or absolute from the package root
    /// with a leading "/"; "..", "." and percent-escapes occur in files from non-Excel writers.
    static func resolve(_ target: String, from dir: String) -> String {
        let t = target.removingPercentEncoding ?? target
        let joined = t.hasPrefix("/") ? t : dir + t
        var parts: [Substring] = []
        for p in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == ".." { _ = parts.popLast(); continue }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }
}
