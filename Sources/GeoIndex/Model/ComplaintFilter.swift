import Foundation

/// Which complaints a map layer, a query or an analysis looks at. `nil` means "no restriction".
/// Parsed and validated at the edge (CLI flags, HTTP query); inside, it is trusted.
public struct ComplaintFilter: Hashable, Sendable {
    public var categories: Set<String>?
    public var statuses: Set<ComplaintStatus>?
    public var channels: Set<Channel>?
    public var types: Set<ComplaintType>?
    /// Creation time window [start, end) in UTC seconds (Istanbul days or a month, see `Period`).
    public var period: Period?
    /// District names (Turkish-folded match).
    public var districts: Set<String>?
    /// Mahalle by id, code or name (Turkish-folded match).
    public var mahalle: Set<String>?
    /// Leave out records flagged as stacks of default geocodes (set by heat maps and hot spots, never by counts).
    public var excludeStacks = false

    public init(categories: Set<String>? = nil, statuses: Set<ComplaintStatus>? = nil, channels: Set<Channel>? = nil,
                types: Set<ComplaintType>? = nil, period: Period? = nil, districts: Set<String>? = nil,
                mahalle: Set<String>? = nil) {
        self.categories = categories; self.statuses = statuses; self.channels = channels; self.types = types
        self.period = period; self.districts = districts; self.mahalle = mahalle
    }

    public static let all = ComplaintFilter()

    /// A stable text form, used in cache keys and ETags.
    public var canonicalKey: String {
        var parts: [String] = []
        if let c = categories { parts.append("category=" + c.sorted().joined(separator: ",")) }
        if let s = statuses { parts.append("status=" + s.map(\.rawValue).sorted().joined(separator: ",")) }
        if let c = channels { parts.append("channel=" + c.map(\.rawValue).sorted().joined(separator: ",")) }
        if let t = types { parts.append("type=" + t.map(\.rawValue).sorted().joined(separator: ",")) }
        if let p = period { parts.append("period=\(p.start)-\(p.end)") }
        if let d = districts { parts.append("district=" + d.map(TurkishText.foldKey).sorted().joined(separator: ",")) }
        if let m = mahalle { parts.append("mahalle=" + m.map(TurkishText.foldKey).sorted().joined(separator: ",")) }
        if excludeStacks { parts.append("nostacks") }
        return parts.joined(separator: "&")
    }
}

/// Errors for values that do not parse, naming the field.
public struct FilterError: Error, CustomStringConvertible, Sendable {
    public var field: String
    public var value: String
    public var expected: String
    public var description: String { "invalid \(field) '\(value)': expected \(expected)" }
}

/// What `trimmingCharacters(in: .whitespaces)` removes from both ends — tab, the space separators (Zs) and, as
/// CoreFoundation's set has it, U+200B — without the Foundation round trip (filters are parsed on every tile
/// request). A test compares both over the whole Basic Multilingual Plane.
func trimmingSpaces(_ s: Substring) -> String {
    func space(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !space($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !space($0) })!
    return String(s.unicodeScalars[first...last])
}

extension ComplaintFilter {
    /// Builds a filter from the text parameters shared by the CLI and the HTTP API.
    /// `from`/`to` are YYYY-MM-DD Istanbul days (inclusive); `month` is YYYY-MM. Comma lists for the sets.
    public static func parse(category: String? = nil, status: String? = nil, channel: String? = nil,
                             type: String? = nil, from: String? = nil, to: String? = nil, month: String? = nil,
                             district: String? = nil, mahalle: String? = nil) throws -> ComplaintFilter {
        var f = ComplaintFilter()
        func list(_ s: String?) -> [String]? {
            guard let s else { return nil }
            let items = s.split(separator: ",").map(trimmingSpaces).filter { !$0.isEmpty }
            return items
        }
        if let items = list(category) {
            guard !items.isEmpty else { throw FilterError(field: "category", value: category!, expected: "a comma list of category codes") }
            f.categories = Set(items.map { TurkishText.foldKey($0) })
        }
        if let items = list(status) {
            var set = Set<ComplaintStatus>()
            for i in items {
                guard let s = ComplaintStatus(parsing: i) else {
                    throw FilterError(field: "status", value: i, expected: ComplaintStatus.allCases.map(\.rawValue).joined(separator: "|"))
                }
                set.insert(s)
            }
            guard !set.isEmpty else { throw FilterError(field: "status", value: status!, expected: "at least one status") }
            f.statuses = set
        }
        if let items = list(channel) {
            var set = Set<Channel>()
            for i in items {
                guard let c = Channel(parsing: i) else {
                    throw FilterError(field: "channel", value: i, expected: Channel.allCases.map(\.rawValue).joined(separator: "|"))
                }
                set.insert(c)
            }
            guard !set.isEmpty else { throw FilterError(field: "channel", value: channel!, expected: "at least one channel") }
            f.channels = set
        }
        if let items = list(type) {
            var set = Set<ComplaintType>()
            for i in items {
                guard let t = ComplaintType(parsing: i) else {
                    throw FilterError(field: "type", value: i, expected: "sikayet|talep|oneri")
                }
                set.insert(t)
            }
            guard !set.isEmpty else { throw FilterError(field: "type", value: type!, expected: "at least one type") }
            f.types = set
        }
        if let month {
            guard from == nil, to == nil else { throw FilterError(field: "month", value: month, expected: "either month or from/to, not both") }
            guard let p = Period.month(month) else { throw FilterError(field: "month", value: month, expected: "YYYY-MM") }
            f.period = p
        } else if from != nil || to != nil {
            if let from, Period.dayStart(from) == nil { throw FilterError(field: "from", value: from, expected: "YYYY-MM-DD") }
            if let to, Period.dayStart(to) == nil { throw FilterError(field: "to", value: to, expected: "YYYY-MM-DD") }
            guard let p = Period.days(from: from, to: to) else {
                throw FilterError(field: "to", value: to ?? "", expected: "a day on or after 'from'")
            }
            f.period = p
        }
        if let items = list(district), !items.isEmpty { f.districts = Set(items) }
        if let items = list(mahalle), !items.isEmpty { f.mahalle = Set(items) }
        return f
    }
}
