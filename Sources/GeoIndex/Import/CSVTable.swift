import Foundation

/// An RFC 4180 CSV file held as bytes (memory-mapped), with record boundaries found in one sequential pass that
/// honours quotes (so quoted newlines stay inside their field), and fields split per record on demand — which
/// lets records be parsed on several threads. Line numbers are physical (1-based) lines of the file.
public struct CSVTable: @unchecked Sendable {
    public struct Record: Sendable {
        public var start: Int
        public var end: Int      // exclusive, without the line terminator
        public var line: Int     // physical line where the record starts
    }

    public let file: String
    public let data: Data          // UTF-8, without a byte-order mark
    public let header: [String]
    public let records: [Record]   // data records (header excluded), blank lines skipped
    public let dialect: CSVDialect
    public let encoding: TextEncoding
    public let hadBOM: Bool

    /// Reads `path`: decodes it (UTF-8 with or without a BOM, windows-1254, ISO 8859-9, UTF-16 — detected unless
    /// `encoding` is given) and sniffs the delimiter and decimal comma unless given. Errors name the file.
    public init(path: String, encoding: TextEncoding? = nil, delimiter: UInt8? = nil, decimalComma: Bool? = nil) throws {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw ImportError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
        try self.init(data: data, file: path, encoding: encoding, delimiter: delimiter, decimalComma: decimalComma)
    }

    /// `rowNumbers`, when given, are the source's own numbers of the header and each record (a sheet's rows),
    /// used in messages instead of physical line numbers.
    public init(data raw: Data, file: String, encoding: TextEncoding? = nil, delimiter: UInt8? = nil,
                decimalComma: Bool? = nil, rowNumbers: [Int]? = nil) throws {
        if raw.isEmpty { throw ImportError(file: file, message: "empty file") }
        let decoded = try TextEncoding.decode(raw, file: file, forced: encoding)
        let data = decoded.data
        self.file = file
        self.data = data
        self.encoding = decoded.encoding
        self.hadBOM = decoded.hadBOM
        let dialect = try CSVDialect.sniff(data, file: file, delimiter: delimiter, decimalComma: decimalComma)
        self.dialect = dialect
        var recs: [Record] = []
        var headerRecord: Record?
        let result: Result<Void, ImportError> = data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            var i = 0
            var line = 1
            while i < n {
                let start = i, startLine = line
                var inQuotes = false
                while i < n {
                    let c = b[i]
                    if c == 0x22 { inQuotes.toggle() }
                    else if c == 0x0A {
                        if !inQuotes { break }
                        line += 1
                    }
                    i += 1
                }
                if inQuotes { return .failure(ImportError(file: file, location: "line \(startLine)", message: "unterminated quoted field")) }
                var end = i
                if end > start && b[end - 1] == 0x0D { end -= 1 }
                if i < n { i += 1; line += 1 }
                if end == start { continue }  // blank line
                let r = Record(start: start, end: end, line: startLine)
                if headerRecord == nil { headerRecord = r } else { recs.append(r) }
            }
            return .success(())
        }
        if case .failure(let e) = result { throw e }
        guard let h = headerRecord else { throw ImportError(file: file, message: "empty file") }
        if let rowNumbers, rowNumbers.count == recs.count + 1 {
            for i in recs.indices { recs[i].line = rowNumbers[i + 1] }
        }
        var fields: [Range<Int>] = []
        var hdr: [String] = []
        data.withUnsafeBytes { raw in
            CSVTable.split(raw.bindMemory(to: UInt8.self), h.start, h.end, delimiter: dialect.delimiter, into: &fields)
            for f in fields {
                hdr.append(CSVTable.string(raw.bindMemory(to: UInt8.self), f))
            }
        }
        self.header = hdr.map { $0.trimmingCharacters(in: .whitespaces) }
        self.records = recs
    }

    /// "read as: ';' delimited, decimal comma, windows-1254" — what the sniffing decided, for the import report.
    public var readAs: String {
        "\(dialect.summary), \(encoding.rawValue)\(hadBOM ? " with BOM" : "")"
    }

    /// Splits one record into field byte ranges (quotes included; see `string` / `fieldBytes`).
    @inline(__always)
    public static func split(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, delimiter: UInt8 = 0x2C,
                             into out: inout [Range<Int>]) {
        out.removeAll(keepingCapacity: true)
        var i = start
        var fieldStart = start
        var inQuotes = false
        while i < end {
            let c = b[i]
            if c == 0x22 { inQuotes.toggle() }
            else if c == delimiter && !inQuotes { out.append(fieldStart..<i); fieldStart = i + 1 }
            i += 1
        }
        out.append(fieldStart..<end)
    }

    /// The field's text with surrounding quotes removed and doubled quotes undone. A `CSVTable`'s bytes are valid
    /// UTF-8 by construction (`TextEncoding.decode` checked or transcoded them), so this decodes without checking
    /// again — `String(validating:)` cost 7% of a million-row import in generic-metadata lookups alone. Invalid
    /// bytes from any other buffer come back as U+FFFD, never as a crash.
    public static func string(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        while hi > lo && b[hi - 1] == 0x20 { hi -= 1 }
        if hi - lo >= 2 && b[lo] == 0x22 && b[hi - 1] == 0x22 {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(hi - lo)
            var k = lo + 1
            while k < hi - 1 {
                bytes.append(b[k])
                if b[k] == 0x22 && k + 1 < hi - 1 && b[k + 1] == 0x22 { k += 1 }
                k += 1
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
    }

    /// Whether the field is empty (after trimming spaces).
    @inline(__always)
    public static func isEmpty(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        for k in r where b[k] != 0x20 && b[k] != 0x22 { return false }
        return true
    }

    /// Parses a decimal number field (no quotes, spaces trimmed). Returns nil when it is not a number;
    /// NaN and infinities come back as such so the caller can name them.
    @inline(__always)
    public static func double(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, decimalComma: Bool = false) -> Double? {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x22) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x22) { hi -= 1 }
        let n = hi - lo
        guard n > 0, n < 63 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { tmp in
            for k in 0..<n {
                let c = b[lo + k]
                tmp[k] = CChar(bitPattern: decimalComma && c == 0x2C ? 0x2E : c)
            }
            tmp[n] = 0
            var endp: UnsafeMutablePointer<CChar>?
            let v = strtod(tmp.baseAddress!, &endp)
            guard let endp, endp - tmp.baseAddress! == n else { return nil }
            return v
        }
    }
}
