import Foundation

extension ComplaintImporter {
    /// GeoJSON FeatureCollection of Point features whose properties use the CSV's column names.
    func parseGeoJSONPoints(_ path: String) throws -> ParsedRows {
        let features = try GeoJSONReader.features(path: path)
        let n = features.count
        var rows = [NewComplaint?](repeating: nil, count: n)
        var errors = [RowError?](repeating: nil, count: n)
        var header: [String] = ["lon", "lat"]
        var keySet = Set<String>()
        for f in features { for k in (f["properties"] as? [String: Any] ?? [:]).keys where !keySet.contains(k) { keySet.insert(k); header.append(k) } }
        // Reuse the CSV row parser: each feature becomes a synthetic CSV record.
        // Point coordinates always fill lon/lat; with --srs they are reprojected afterwards.
        let cols = try Columns(header: header, projected: false, file: path, mapping: options.mapping.columns.filter { $0.key != "lon" && $0.key != "lat" })
        let dates: DateParser
        do {
            dates = options.dateFormats.isEmpty ? .automatic(timeZone: options.timeZone ?? IstanbulTime.timeZone)
                : try DateParser(formats: options.dateFormats, timeZone: options.timeZone ?? IstanbulTime.timeZone)
        } catch { throw ImportError(file: path, message: "\(error)") }
        let parser = RowParser(cols: cols, decimalComma: false, dates: dates, mapping: options.mapping,
                               dateHint: " (expected ISO 8601; other forms: --date-format)")
        var rawLines: [String] = []
        for (i, f) in features.enumerated() {
            let line = i + 1
            guard let geom = f["geometry"] as? [String: Any], (geom["type"] as? String) == "Point",
                  let coords = geom["coordinates"] as? [Any], coords.count >= 2,
                  let x = (coords[0] as? NSNumber)?.doubleValue, let y = (coords[1] as? NSNumber)?.doubleValue else {
                errors[i] = RowError(line: line, field: "geometry", message: "feature \(line) is not a Point with numeric coordinates")
                rawLines.append("")
                continue
            }
            let props = f["properties"] as? [String: Any] ?? [:]
            var values = [Self.csvEscape(String(x)), Self.csvEscape(String(y))]
            for k in header.dropFirst(2) {
                let v = props[k]
                if v == nil || v is NSNull { values.append("") }
                else if let s = v as? String { values.append(Self.csvEscape(s)) }
                else if let num = v as? NSNumber { values.append(num.stringValue) }
                else { values.append("") }
            }
            let rec = values.joined(separator: ",")
            rawLines.append(rec)
            var bytes = Array(rec.utf8)
            bytes.withUnsafeMutableBufferPointer { mb in
                let b = UnsafeBufferPointer(mb)
                var fields: [Range<Int>] = []
                CSVTable.split(b, 0, b.count, into: &fields)
                switch parser.parse(b, fields, line: line) {
                case .success(let r): rows[i] = r
                case .failure(var e):
                    e.message = "feature \(line): " + e.message
                    errors[i] = e
                }
            }
        }
        return ParsedRows(rows: rows, errors: errors, lines: (0..<n).map { $0 + 1 },
                          raw: { rawLines[$0] }, rawHeader: header.joined(separator: ","), readAs: "GeoJSON FeatureCollection of Points")
    }

    static func csvEscape(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
