import Foundation
import GeoIndex
import Hummingbird

/// Reading requests at the edge: every bad value becomes a 400 naming its field (STYLE.md trait 5).
extension Request {
    /// A query parameter, percent-decoded; empty values count as absent.
    func query(_ name: String) -> String? { Self.nonEmpty(uri.queryParameters, name) }

    /// `name` in parsed query parameters, empty counting as absent: the one reading of a parameter, shared with
    /// the event loop's tile hits (`CachedTileResponder`), so that both see the same filter.
    static func nonEmpty(_ parameters: Parameters?, _ name: String) -> String? {
        guard let v = parameters?.get(name), !v.isEmpty else { return nil }
        return v
    }

    /// The filter parameters shared by tiles, queries and analytics (`category`, `status`, `channel`, `type`,
    /// `from`, `to`, `month`, `district`, `mahalle`).
    func complaintFilter() throws -> ComplaintFilter {
        try ComplaintFilter.parse(category: query("category"), status: query("status"), channel: query("channel"),
                                  type: query("type"), from: query("from"), to: query("to"), month: query("month"),
                                  district: query("district"), mahalle: query("mahalle"))
    }

    /// `limit` in 1...max, default `defaultValue`.
    func limit(default defaultValue: Int, max maxValue: Int) throws -> Int {
        guard let text = query("limit") else { return defaultValue }
        guard let n = Int(text), n >= 1 else { throw APIError.badRequest("limit must be a positive integer", field: "limit") }
        guard n <= maxValue else { throw APIError.badRequest("limit must be at most \(maxValue)", field: "limit") }
        return n
    }

    /// The body, at most `maxBytes` (→ 413 beyond; a declared Content-Length over the limit is refused unread).
    func bodyBytes(max maxBytes: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw APIError(.contentTooLarge, "request body too large (limit \(maxBytes) bytes)")
        }
        do {
            return try await body.collect(upTo: maxBytes)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "request body too large (limit \(maxBytes) bytes)")
        }
    }
}

/// `minLon,minLat,maxLon,maxLat` in WGS 84 degrees.
enum BBoxParser {
    static func parse(_ text: String, field: String = "bbox") throws -> BoundingBox {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 4 else { throw APIError.badRequest("bbox must be minLon,minLat,maxLon,maxLat", field: field) }
        let v = parts.compactMap(Double.init)
        guard v.count == 4, v.allSatisfy(\.isFinite) else {
            throw APIError.badRequest("bbox must be four numbers: minLon,minLat,maxLon,maxLat", field: field)
        }
        guard abs(v[0]) <= 180, abs(v[2]) <= 180, abs(v[1]) <= 90, abs(v[3]) <= 90 else {
            throw APIError.badRequest("bbox out of range: longitudes in [-180, 180], latitudes in [-90, 90]", field: field)
        }
        guard v[0] <= v[2], v[1] <= v[3] else { throw APIError.badRequest("bbox min must not exceed max", field: field) }
        return BoundingBox(minLon: v[0], minLat: v[1], maxLon: v[2], maxLat: v[3])
    }
}

/// A JSON object body read field by field, so that every error names its field.
struct JSONBody {
    let object: [String: Any]

    init(_ buffer: ByteBuffer) throws {
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw APIError.badRequest("request body is empty: expected a JSON object") }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw APIError.badRequest("request body is not valid JSON")
        }
        guard let obj = parsed as? [String: Any] else { throw APIError.badRequest("request body must be a JSON object") }
        object = obj
    }

    func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    func string(_ key: String, maxLength: Int = 500, required: Bool = false) throws -> String? {
        guard has(key) else {
            if required { throw APIError.badRequest("\(key) is required", field: key) }
            return nil
        }
        guard let s = object[key] as? String else { throw APIError.badRequest("\(key) must be a string", field: key) }
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty {
            if required { throw APIError.badRequest("\(key) must not be empty", field: key) }
            return nil
        }
        guard t.count <= maxLength else { throw APIError.badRequest("\(key) is longer than \(maxLength) characters", field: key) }
        return t
    }

    func number(_ key: String, required: Bool = false) throws -> Double? {
        guard has(key) else {
            if required { throw APIError.badRequest("\(key) is required", field: key) }
            return nil
        }
        // NSNumber also bridges booleans; refuse those.
        guard let n = object[key] as? NSNumber, String(cString: n.objCType) != "c" else {
            throw APIError.badRequest("\(key) must be a number", field: key)
        }
        let d = n.doubleValue
        guard d.isFinite else { throw APIError.badRequest("\(key) must be a finite number", field: key) }
        return d
    }

    func stringArray(_ key: String, maxCount: Int = 10, maxLength: Int = 1000) throws -> [String] {
        guard has(key) else { return [] }
        guard let a = object[key] as? [Any], let s = a as? [String] else {
            throw APIError.badRequest("\(key) must be an array of strings", field: key)
        }
        guard s.count <= maxCount else { throw APIError.badRequest("\(key) has more than \(maxCount) items", field: key) }
        guard s.allSatisfy({ $0.count <= maxLength }) else { throw APIError.badRequest("\(key) item longer than \(maxLength) characters", field: key) }
        return s
    }

    /// Fields not in `known` are refused, so that a typo ("categroy") is not silently ignored.
    func rejectUnknown(_ known: Set<String>) throws {
        if let bad = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("unknown field \(bad)", field: bad)
        }
    }
}

/// `application/x-www-form-urlencoded` (Open311 POST).
enum FormBody {
    static func parse(_ buffer: ByteBuffer) throws -> [String: String] {
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        var out: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(kv[0]) else { throw APIError.badRequest("malformed form encoding") }
            guard let value = kv.count > 1 ? decode(kv[1]) : "" else { throw APIError.badRequest("malformed form encoding", field: key) }
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    private static func decode(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
