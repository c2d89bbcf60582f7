import Foundation

/// Reads GeoJSON FeatureCollections (RFC 7946): boundaries, parcels and point complaints.
/// Every error names the file and the feature (1-based).
public enum GeoJSONReader {
    public static func features(path: String) throws -> [[String: Any]] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ImportError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try features(data: data, file: path)
    }

    public static func features(data: Data, file: String) throws -> [[String: Any]] {
        if data.isEmpty { throw ImportError(file: file, message: "empty file") }
        guard String(data: data, encoding: .utf8) != nil else { throw ImportError(file: file, message: "invalid UTF-8") }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            throw ImportError(file: file, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let root = obj as? [String: Any], (root["type"] as? String) == "FeatureCollection" else {
            throw ImportError(file: file, message: "not a GeoJSON FeatureCollection (top-level \"type\" must be \"FeatureCollection\")")
        }
        guard let feats = root["features"] as? [Any] else {
            throw ImportError(file: file, message: "FeatureCollection has no \"features\" array")
        }
        var out: [[String: Any]] = []
        out.reserveCapacity(feats.count)
        for (i, f) in feats.enumerated() {
            guard let d = f as? [String: Any], (d["type"] as? String) == "Feature" else {
                throw ImportError(file: file, location: "feature \(i + 1)", message: "not a GeoJSON Feature")
            }
            out.append(d)
        }
        return out
    }

    /// A (Multi)Polygon geometry → MultiPolygon, checking rings: at least 4 positions, closed, finite lon/lat.
    public static func multiPolygon(_ geometry: Any?, file: String, location: String) throws -> MultiPolygon {
        guard let g = geometry as? [String: Any], let type = g["type"] as? String else {
            throw ImportError(file: file, location: location, message: "missing geometry")
        }
        func ring(_ any: Any, _ which: String) throws -> [LonLat] {
            guard let pts = any as? [Any] else { throw ImportError(file: file, location: location, message: "\(which) is not an array of positions") }
            var r: [LonLat] = []
            r.reserveCapacity(pts.count)
            for p in pts {
                guard let c = p as? [Any], c.count >= 2, let x = (c[0] as? NSNumber)?.doubleValue,
                      let y = (c[1] as? NSNumber)?.doubleValue else {
                    throw ImportError(file: file, location: location, message: "\(which) has a position that is not [lon, lat]")
                }
                let ll = LonLat(lon: x, lat: y)
                guard ll.isValid else {
                    throw ImportError(file: file, location: location, message: "\(which) has an invalid position [\(x), \(y)]")
                }
                r.append(ll)
            }
            guard r.count >= 4 else {
                throw ImportError(file: file, location: location, message: "\(which) has \(r.count) positions; a ring needs at least 4")
            }
            guard r.first == r.last else {
                throw ImportError(file: file, location: location, message: "\(which) is not closed (first position \(r.first!.lon),\(r.first!.lat) ≠ last \(r.last!.lon),\(r.last!.lat))")
            }
            return r
        }
        func polygon(_ any: Any, _ which: String) throws -> Polygon {
            guard let rings = any as? [Any], !rings.isEmpty else {
                throw ImportError(file: file, location: location, message: "\(which) has no rings")
            }
            return Polygon(rings: try rings.enumerated().map { try ring($1, $0 == 0 ? "\(which) outer ring" : "\(which) hole \($0)") })
        }
        switch type {
        case "Polygon":
            return MultiPolygon(polygons: [try polygon(g["coordinates"] ?? [], "polygon")])
        case "MultiPolygon":
            guard let polys = g["coordinates"] as? [Any], !polys.isEmpty else {
                throw ImportError(file: file, location: location, message: "MultiPolygon has no polygons")
            }
            return MultiPolygon(polygons: try polys.enumerated().map { try polygon($1, "polygon \($0 + 1)") })
        default:
            throw ImportError(file: file, location: location, message: "geometry is a \(type); expected Polygon or MultiPolygon")
        }
    }

    /// A property as text: strings trimmed, numbers written plainly (1072, not 1072.0); nil when absent or empty.
    public static func text(_ v: Any?) -> String? {
        if let s = v as? String {
            let t = s.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        }
        if let n = v as? NSNumber, !(v is Bool) {
            if let i = Int64(exactly: n.doubleValue) { return String(i) }
            return n.stringValue
        }
        return nil
    }

    /// Field names for boundary files; overridable from the CLI.
    public struct BoundaryFields: Sendable {
        public var name = "name"
        public var code = "code"
        public var population = "population"
        public var district = "district"
        /// Used when a feature has no district property.
        public var defaultDistrict = "Merkez"
        /// District codes → names, for a district property that holds codes (`--district-names`).
        public var districtNames: [String: String]? = nil
        public init() {}
    }

    public static func mahalle(path: String, fields: BoundaryFields = BoundaryFields()) throws -> [BoundaryInput.MahalleRow] {
        let feats = try features(path: path)
        if feats.isEmpty { throw ImportError(file: path, message: "FeatureCollection has no features") }
        var out: [BoundaryInput.MahalleRow] = []
        var seen: [String: Int] = [:]
        for (i, f) in feats.enumerated() {
            let loc = "feature \(i + 1)"
            let props = f["properties"] as? [String: Any] ?? [:]
            guard let name = (props[fields.name] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                throw ImportError(file: path, location: loc, message: "missing property '\(fields.name)' (the mahalle name)")
            }
            var population = 0
            if let p = props[fields.population], !(p is NSNull) {
                // Int(exactly:): 1e30 and 18446744073709551615 are refused, not wrapped to a negative Int (FuzzGeoJSON).
                if let n = p as? NSNumber, let v = Int(exactly: n.doubleValue), v >= 0 { population = v }
                else if let s = p as? String, let n = Int(s), n >= 0 { population = n }
                else { throw ImportError(file: path, location: loc, message: "property '\(fields.population)' must be a non-negative whole number") }
            }
            var district = text(props[fields.district]) ?? fields.defaultDistrict
            if let names = fields.districtNames, text(props[fields.district]) != nil {
                guard let name = names[district] else {
                    throw ImportError(file: path, location: loc, message: "district code '\(district)' (property '\(fields.district)') is not in --district-names")
                }
                district = name
            }
            let code: String? = text(props[fields.code])
            let key = TurkishText.foldKey(district) + "\u{1}" + TurkishText.foldKey(name)
            if let first = seen[key] {
                throw ImportError(file: path, location: loc, message: "mahalle '\(name)' in '\(district)' appears twice (first as feature \(first))")
            }
            seen[key] = i + 1
            let geom = try multiPolygon(f["geometry"], file: path, location: loc)
            out.append(.init(name: name, code: code, population: population, district: district, geometry: geom, location: loc))
        }
        return out
    }

    public static func parcels(path: String) throws -> [BoundaryInput.ParcelRow] {
        let feats = try features(path: path)
        var out: [BoundaryInput.ParcelRow] = []
        out.reserveCapacity(feats.count)
        for (i, f) in feats.enumerated() {
            let loc = "feature \(i + 1)"
            let props = f["properties"] as? [String: Any] ?? [:]
            func str(_ k: String) -> String? {
                if let s = props[k] as? String { return s }
                if let n = props[k] as? NSNumber { return n.stringValue }
                return nil
            }
            guard let street = str("street") ?? str("sokak") ?? str("cadde"), !street.isEmpty else {
                throw ImportError(file: path, location: loc, message: "missing property 'street'")
            }
            guard let door = str("door") ?? str("door_number") ?? str("kapi_no"), !door.isEmpty else {
                throw ImportError(file: path, location: loc, message: "missing property 'door' (door number)")
            }
            let geom = try multiPolygon(f["geometry"], file: path, location: loc)
            out.append(.init(ada: str("ada"), parsel: str("parsel"), street: street, door: door, mahalle: str("mahalle"),
                             geometry: geom, location: loc))
        }
        return out
    }
}
