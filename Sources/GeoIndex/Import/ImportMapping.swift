import Foundation

/// What `--columns` and `--values` say: which source column holds each of taskmap's fields, and which source
/// values mean which of taskmap's codes. A call centre's export is never in taskmap's own names.
public struct ImportMapping: Sendable {
    /// taskmap field → source column name (as written in the header).
    public var columns: [String: String] = [:]
    /// "field\u{1}folded source value" → taskmap value, for channel, type, status and category.
    var values: [String: String] = [:]

    public init() {}

    /// Fields `--columns` may name.
    public static let fields = ["id", "lon", "lat", "x", "y", "category", "created_at", "status", "channel", "type",
                                "resolved_at", "updated_at", "satisfaction", "description", "media_urls",
                                "contact_name", "contact_phone", "contact_email"]
    /// Fields `--values` may map.
    public static let valueFields = ["channel", "type", "status", "category"]

    /// `"category=TYPE,created_at=OPEN_DT"`. A field may be left out of the file with `field=-`.
    public static func parseColumns(_ spec: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for part in spec.split(separator: ",", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { throw MappingError("--columns: '\(part)' is not field=COLUMN") }
            let field = kv[0].trimmingCharacters(in: .whitespaces).lowercased()
            let column = kv[1].trimmingCharacters(in: .whitespaces)
            guard fields.contains(field) else {
                throw MappingError("--columns: unknown field '\(field)' (fields: \(fields.joined(separator: ", ")))")
            }
            guard !column.isEmpty else { throw MappingError("--columns: no column given for '\(field)'") }
            guard out[field] == nil else { throw MappingError("--columns: '\(field)' is mapped twice") }
            out[field] = column
        }
        return out
    }

    /// `"channel:Constituent Call=phone,channel:Citizens Connect App=mobile"`. Targets are checked against
    /// taskmap's vocabularies (a category target is folded into a code).
    public mutating func addValues(_ spec: String) throws {
        for part in spec.split(separator: ",", omittingEmptySubsequences: true) {
            guard let colon = part.firstIndex(of: ":"), let eq = part.lastIndex(of: "="), colon < eq else {
                throw MappingError("--values: '\(part)' is not field:Source value=code")
            }
            let field = part[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let from = part[part.index(after: colon)..<eq].trimmingCharacters(in: .whitespaces)
            let to = part[part.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard Self.valueFields.contains(field) else {
                throw MappingError("--values: '\(field)' cannot be mapped (fields: \(Self.valueFields.joined(separator: ", ")))")
            }
            guard !from.isEmpty, !to.isEmpty else { throw MappingError("--values: '\(part)' needs a source value and a code") }
            let target: String
            switch field {
            case "channel":
                guard let c = Channel(parsing: to) else {
                    throw MappingError("--values: '\(to)' is not a channel (\(Channel.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                target = c.rawValue
            case "type":
                guard let t = ComplaintType(parsing: to) else {
                    throw MappingError("--values: '\(to)' is not a type (\(ComplaintType.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                target = t.rawValue
            case "status":
                guard let s = ComplaintStatus(parsing: to) else {
                    throw MappingError("--values: '\(to)' is not a status (\(ComplaintStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                target = s.rawValue
            default:
                target = ComplaintImporter.categoryCode(to)
            }
            values[field + "\u{1}" + TurkishText.foldKey(from)] = target
        }
    }

    /// The mapped value of `text` in `field`, if `--values` names it (case and Turkish letters folded).
    @inline(__always)
    func value(_ field: String, _ text: String) -> String? {
        values.isEmpty ? nil : values[field + "\u{1}" + TurkishText.foldKey(text)]
    }

    public struct MappingError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ d: String) { description = d }
    }
}
