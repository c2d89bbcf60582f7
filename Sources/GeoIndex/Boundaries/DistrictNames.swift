import Foundation

/// District names for boundary files that carry their district as a code (`townId` 1072 → "Dulkadiroğlu"):
/// a CSV `code,name`, or a GeoJSON of the districts themselves (properties `id`/`townId`/`code` and `name`,
/// e.g. the `ilce.geojson` that comes with the mahalle polygons).
public enum DistrictNames {
    public static func read(path: String) throws -> [String: String] {
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") || lower.hasSuffix(".json") {
            var out: [String: String] = [:]
            for (i, f) in try GeoJSONReader.features(path: path).enumerated() {
                let props = f["properties"] as? [String: Any] ?? [:]
                guard let name = (props["name"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                    throw ImportError(file: path, location: "feature \(i + 1)", message: "missing property 'name' (the district name)")
                }
                guard let code = ["id", "townId", "code"].lazy.compactMap({ GeoJSONReader.text(props[$0]) }).first else {
                    throw ImportError(file: path, location: "feature \(i + 1)", message: "missing property 'id', 'townId' or 'code'")
                }
                out[code] = name
            }
            if out.isEmpty { throw ImportError(file: path, message: "no districts") }
            return out
        }
        let t = try CSVTable(path: path)
        let keys = t.header.map(TurkishText.foldKey)
        guard let c = keys.firstIndex(where: { ["code", "id", "townid", "kod"].contains($0) }),
              let n = keys.firstIndex(where: { ["name", "district", "ilce", "ad"].contains($0) }) else {
            throw ImportError(file: path, location: "line 1", message: "expected a header 'code,name'; found: \(t.header.joined(separator: ","))")
        }
        var out: [String: String] = [:]
        var fields: [Range<Int>] = []
        try t.data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            for r in t.records {
                CSVTable.split(b, r.start, r.end, delimiter: t.dialect.delimiter, into: &fields)
                guard fields.count > max(c, n) else { throw ImportError(file: path, location: "line \(r.line)", message: "expected code and name") }
                let code = CSVTable.string(b, fields[c]), name = CSVTable.string(b, fields[n])
                guard !code.isEmpty, !name.isEmpty else {
                    throw ImportError(file: path, location: "line \(r.line)", message: "expected code and name")
                }
                if out[code] != nil { throw ImportError(file: path, location: "line \(r.line)", message: "code '\(code)' appears twice") }
                out[code] = name
            }
        }
        return out
    }
}
