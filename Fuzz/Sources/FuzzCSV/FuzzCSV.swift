import Foundation
import FuzzSupport
@testable import GeoIndex

// CSV importer: the bytes of one CSV file go through the importer's parse-and-validate layer, exactly as
// `taskmap import` runs it before touching the store: `CSVTable(path:)` (record boundaries, header, delimiter
// check), `ComplaintImporter.parseCSV` (columns and every row: numbers, dates, codes, UTF-8), the duplicate-id
// pass and the coordinate check. The importer's store (needed only to construct it) is an empty SpatiaLite file
// made once per process; nothing is written to it. Geocoding and the bulk insert are not fuzzed.

private let csvPath = scratchPath("input.csv")
private let importer = scratchImporter()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    overwrite(csvPath, bytes)

    // The table layer on its own: its bytes are UTF-8 (the input's own when the input was UTF-8 without a BOM,
    // else decoded from windows-1254 or UTF-16); record ranges inside them, in order, non-empty; lines ascending.
    do {
        let table = try CSVTable(path: csvPath)
        require(TextEncoding.firstInvalidUTF8(table.data) == nil, "table bytes are not UTF-8 (read as \(table.readAs))")
        let plainUTF8 = TextEncoding.firstInvalidUTF8(Data(bytes)) == nil && !bytes.starts(with: [0xEF, 0xBB, 0xBF])
            && !bytes.starts(with: [0xFF, 0xFE]) && !bytes.starts(with: [0xFE, 0xFF])
        if plainUTF8 { require(table.data.count == size, "table holds \(table.data.count) bytes of \(size) UTF-8 bytes") }
        let n = table.data.count
        var previousEnd = 0, previousLine = 0
        for r in table.records {
            require(r.start < r.end && r.end <= n, "record \(r) outside the table (\(n) bytes) or empty")
            require(r.start >= previousEnd && r.line > previousLine, "records out of order: \(r) after end \(previousEnd), line \(previousLine)")
            previousEnd = r.end; previousLine = r.line
            table.data.withUnsafeBytes { raw in
                var fields: [Range<Int>] = []
                CSVTable.split(raw.bindMemory(to: UInt8.self), r.start, r.end, delimiter: table.dialect.delimiter, into: &fields)
                require(!fields.isEmpty && fields.first!.lowerBound == r.start && fields.last!.upperBound == r.end,
                        "fields \(fields) do not cover record \(r)")
                for f in fields { _ = CSVTable.double(raw.bindMemory(to: UInt8.self), f) }
            }
        }
        // Projected columns (x,y with --srs) resolve without PROJ; errors name the file.
        do { _ = try ComplaintImporter.Columns(header: table.header, projected: true, file: csvPath) } catch let e as ImportError {
            require(e.file == csvPath, "Columns error names another file: \(e)")
        }
    } catch let e as ImportError {
        require(e.file == csvPath, "CSVTable error names another file: \(e)")
    } catch {
        require(false, "CSVTable threw a non-ImportError: \(error)")
    }

    // The importer's parse + validate.
    do {
        var parsed = try importer.parseCSV(csvPath, workbook: false)
        let n = parsed.rows.count
        require(parsed.errors.count == n && parsed.lines.count == n, "row arrays differ in length")
        for i in 0..<n {
            require((parsed.rows[i] == nil) != (parsed.errors[i] == nil), "row \(i): needs exactly one of row or error")
            require(parsed.lines[i] >= 2, "row \(i) on line \(parsed.lines[i]) (the header is line 1 or later)")
            if i > 0 { require(parsed.lines[i] > parsed.lines[i - 1], "row lines not ascending") }
            if let e = parsed.errors[i] { require(e.line == parsed.lines[i], "error line \(e.line) ≠ row line \(parsed.lines[i])") }
            _ = parsed.raw(i)
            guard let r = parsed.rows[i] else { continue }
            checkAccepted(r, "row \(i)")
            if !r.location.isValid { _ = ComplaintImporter.coordinateProblem(r.location) }
        }
        ComplaintImporter.markDuplicateRefs(&parsed)
        var seen: [String: Int] = [:]
        for i in 0..<n {
            guard let ref = parsed.rows[i]?.externalRef else { continue }
            if let first = seen[ref] {
                require(parsed.errors[i] != nil, "duplicate id '\(ref)' on line \(parsed.lines[i]) (first on line \(parsed.lines[first])) not flagged")
            } else if parsed.errors[i] == nil {
                seen[ref] = i
            }
        }
    } catch let e as ImportError {
        require(e.file == csvPath, "importer error names another file: \(e)")
    } catch {
        require(false, "parseCSV threw a non-ImportError: \(error)")
    }
    return 0
}

/// The program's entry point: SwiftPM links `main` to `FuzzCSV_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzCSV_main")
public func fuzzCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(fuzzCSV)
}
