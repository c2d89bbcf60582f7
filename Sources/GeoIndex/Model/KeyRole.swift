import Foundation

/// What an API key may do. Each role includes the ones before it:
/// - `intake`: create complaints (the call centre, Open311 clients);
/// - `staff`: also see personal fields (description, contact, media) and change complaints of its departments and
///   districts — assign a team, start, resolve, reject, reopen — but not close (approve) or move work to a
///   department outside its scope;
/// - `supervisor`: also reassign across departments and approve resolved work (→ closed) or send it back;
/// - `admin`: everything, in every department and district (keys and configuration).
public enum KeyRole: String, CaseIterable, Sendable, Codable, Comparable {
    case intake, staff, supervisor, admin

    public init?(parsing s: String) { self.init(rawValue: s.lowercased()) }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: KeyRole, b: KeyRole) -> Bool { a.rank < b.rank }

    public var seesPersonalFields: Bool { self >= .staff }
    public var changesWork: Bool { self >= .staff }
    public var reassignsDepartments: Bool { self >= .supervisor }
    public var approves: Bool { self >= .supervisor }
}

/// Where a key may act: departments and districts (nil = all). Names are compared with Turkish case folding,
/// so "fen işleri müdürlüğü" and "FEN İŞLERİ MÜDÜRLÜĞÜ" are the same department.
public struct KeyScope: Sendable, Hashable {
    /// Department names as given (for messages); nil = every department.
    public var departments: [String]?
    /// District (ilçe) names as given; nil = every district.
    public var districts: [String]?

    public init(departments: [String]? = nil, districts: [String]? = nil) {
        self.departments = departments.flatMap { $0.isEmpty ? nil : $0 }
        self.districts = districts.flatMap { $0.isEmpty ? nil : $0 }
    }

    public static let everything = KeyScope()
    public var isEverything: Bool { departments == nil && districts == nil }

    public func covers(department: String?) -> Bool {
        guard let departments else { return true }
        guard let department else { return false }
        let k = TurkishText.foldKey(department)
        return departments.contains { TurkishText.foldKey($0) == k }
    }

    public func covers(district: String?) -> Bool {
        guard let districts else { return true }
        guard let district else { return false }
        let k = TurkishText.foldKey(district)
        return districts.contains { TurkishText.foldKey($0) == k }
    }

    /// A checker for many (department, district) pairs: the scope's names are folded once, and each distinct name
    /// met once (a list of thousands of complaints holds a handful of departments and districts).
    public func matcher() -> (_ department: String?, _ district: String?) -> Bool {
        let departmentKeys = departments.map { Set($0.map(TurkishText.foldKey)) }
        let districtKeys = districts.map { Set($0.map(TurkishText.foldKey)) }
        var folded: [String: String] = [:]
        func fold(_ s: String) -> String {
            if let f = folded[s] { return f }
            let f = TurkishText.foldKey(s)
            folded[s] = f
            return f
        }
        return { department, district in
            if let keys = departmentKeys { guard let d = department, keys.contains(fold(d)) else { return false } }
            if let keys = districtKeys { guard let d = district, keys.contains(fold(d)) else { return false } }
            return true
        }
    }

    /// "Fen İşleri Müdürlüğü in Konak, Buca" — for 403 messages and `keys list`.
    public var description: String {
        let d = departments?.joined(separator: ", ") ?? "every department"
        let i = districts?.joined(separator: ", ") ?? "every district"
        return "\(d) in \(i)"
    }
}
