import CSpatiaLite
import Foundation

/// A routing rule: complaints of `category` (in `district`, or anywhere when nil) go to `department` (and `team`).
public struct Route: Sendable, Hashable {
    public var id: Int64
    public var category: String
    public var district: String?
    public var department: String
    public var team: String?
}

extension SpatiaLiteStore {
    /// Adds a rule, or replaces the one for the same category and district.
    @discardableResult
    public func setRoute(category: String, district: String?, department: String, team: String?, at now: Date = Date()) throws -> Route {
        try locked {
            try db.transaction {
                try db.prepare("DELETE FROM routes WHERE category = ? AND COALESCE(district, '') = ?").run([.text(category), .text(district ?? "")])
                try db.prepare("INSERT INTO routes(category, district, department, team, created_at) VALUES (?, ?, ?, ?, ?)")
                    .run([.text(category), .opt(district), .text(department), .opt(team), .text(Timestamp.format(now))])
                return Route(id: db.lastInsertRowID, category: category, district: district, department: department, team: team)
            }
        }
    }

    public func routes() throws -> [Route] {
        try locked { try routesLocked() }
    }

    func routesLocked() throws -> [Route] {
        let st = try db.prepare("SELECT \(Self.routeColumns) FROM routes ORDER BY category, district IS NOT NULL, district")
        var out: [Route] = []
        while try st.step() { out.append(Self.route(st)) }
        return out
    }

    @discardableResult
    public func removeRoute(id: Int64) throws -> Bool {
        try locked {
            try db.prepare("DELETE FROM routes WHERE id = ?").run([.int(id)])
            return db.changes > 0
        }
    }

    /// Where a new complaint goes: the rule for its category and district, else its category's rule for every
    /// district, else nil (the category's department, as before).
    func routeLocked(category: String, district: String?) throws -> Route? {
        let st = try db.prepare("""
            SELECT \(Self.routeColumns) FROM routes
            WHERE category = ?1 AND (district IS NULL OR district = ?2) ORDER BY district IS NULL LIMIT 1
            """)
        try st.bind([.text(category), .opt(district)])
        return try st.step() ? Self.route(st) : nil
    }

    private static let routeColumns = "id, category, district, department, team"

    private static func route(_ st: Statement) -> Route {
        Route(id: st.int64(0), category: st.text(1) ?? "", district: st.text(2), department: st.text(3) ?? "", team: st.text(4))
    }
}
