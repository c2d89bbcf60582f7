import CSpatiaLite
import Foundation

// The server's side of the store: API keys (hash only), idempotent intake, the status work flow with its
// history, possible-duplicate search on the R-tree. All SQL for these lives here (STYLE.md trait 8).

/// An API key as the store knows it: never the key itself, only its name and dates.
public struct APIKey: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var role: KeyRole
    public var scope: KeyScope
    public var isActive: Bool { revokedAt == nil }
    public init(id: Int64, name: String, createdAt: Date, revokedAt: Date? = nil, role: KeyRole = .staff, scope: KeyScope = .everything) {
        self.id = id; self.name = name; self.createdAt = createdAt; self.revokedAt = revokedAt; self.role = role; self.scope = scope
    }
}

/// What checking a presented key found.
public enum APIKeyCheck: Sendable, Hashable {
    case valid(APIKey)
    case revoked(APIKey)
    case unknown
}

/// One entry of a complaint's history: created, or a change of status/department/team with a note.
public struct StatusChange: Sendable, Hashable {
    public var at: Date
    /// nil = the complaint was created.
    public var from: ComplaintStatus?
    public var to: ComplaintStatus
    public var department: String?
    public var team: String?
    /// Staff note: not for public output.
    public var note: String?
    public var actor: String?
}

/// A requested work-flow change; nil fields stay as they are.
public struct WorkflowChange: Sendable {
    public var status: ComplaintStatus?
    public var department: String?
    public var team: String?
    public var note: String?
    public var actor: String?
    /// The key that made the change (recorded in the history).
    public var apiKeyID: Int64?
    public var at: Date
    public init(status: ComplaintStatus? = nil, department: String? = nil, team: String? = nil, note: String? = nil,
                actor: String? = nil, apiKeyID: Int64? = nil, at: Date = Date()) {
        self.status = status; self.department = department; self.team = team; self.note = note
        self.actor = actor; self.apiKeyID = apiKeyID; self.at = at
    }
    public var isEmpty: Bool { status == nil && department == nil && team == nil && note == nil }
}

/// Work-flow state of one complaint: its assignment and full history (oldest first).
public struct WorkflowState: Sendable {
    public var complaint: Complaint
    public var team: String?
    public var history: [StatusChange]
}

public enum WorkflowError: Error, Sendable, CustomStringConvertible, Equatable {
    case notFound(Int64)
    case invalidTransition(from: ComplaintStatus, to: ComplaintStatus)
    case keyNameTaken(String)
    case keyNotFound(String)

    public var description: String {
        switch self {
        case .notFound(let id): return "complaint \(id) not found"
        case .invalidTransition(let f, let t): return "cannot change status from \(f.rawValue) to \(t.rawValue)"
        case .keyNameTaken(let n): return "an active API key named '\(n)' already exists"
        case .keyNotFound(let n): return "no active API key '\(n)'"
        }
    }
}

/// An open complaint near a new one (same category, recent) that may be the same problem.
public struct DuplicateCandidate: Sendable, Hashable {
    public var id: Int64
    public var distanceMetres: Double
    public var createdAt: Date
    public var status: ComplaintStatus
}

/// The result of an intake call: the stored complaint and whether this call created it.
public struct IntakeResult: Sendable {
    public var complaint: Complaint
    /// false when `external_ref` or the idempotency key was seen before and the earlier complaint is returned.
    public var created: Bool
}

extension SpatiaLiteStore {
    // MARK: - API keys

    /// Creates a key: 32 random bytes, base64url, prefixed `tmk_`. Returns the key (shown once) and its record;
    /// the store keeps only the SHA-256 of the key text.
    public func createAPIKey(name: String, role: KeyRole = .staff, scope: KeyScope = .everything,
                             at now: Date = Date()) throws -> (key: String, record: APIKey) {
        let key = Self.randomToken(prefix: "tmk_")
        let hash = KeyHash.hex(key)
        return try locked {
            do {
                try db.prepare("INSERT INTO api_keys(name, key_hash, created_at, role, departments, districts) VALUES (?, ?, ?, ?, ?, ?)")
                    .run([.text(name), .text(hash), .text(Timestamp.format(now)), .text(role.rawValue),
                          .opt(scope.departments.map(Self.jsonArray)), .opt(scope.districts.map(Self.jsonArray))])
            } catch let e as SQLiteError where e.code == SQLITE_CONSTRAINT {
                throw WorkflowError.keyNameTaken(name)
            }
            let created = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            return (key, APIKey(id: db.lastInsertRowID, name: name, createdAt: created, revokedAt: nil, role: role, scope: scope))
        }
    }

    /// All keys, active and revoked, oldest first.
    public func apiKeys() throws -> [APIKey] {
        try locked {
            let st = try db.prepare("SELECT \(Self.keyColumns) FROM api_keys ORDER BY id")
            var out: [APIKey] = []
            while try st.step() { out.append(Self.apiKey(st)) }
            return out
        }
    }

    /// Revokes the active key with this name (or numeric id). Returns it.
    @discardableResult
    public func revokeAPIKey(_ nameOrID: String, at now: Date = Date()) throws -> APIKey {
        try locked {
            let st = try db.prepare("""
                SELECT \(Self.keyColumns) FROM api_keys
                WHERE revoked_at IS NULL AND (name = ?1 OR CAST(id AS TEXT) = ?1) ORDER BY name = ?1 DESC LIMIT 1
                """)
            try st.bind([.text(nameOrID)])
            guard try st.step() else { throw WorkflowError.keyNotFound(nameOrID) }
            var key = Self.apiKey(st)
            try db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").run([.text(Timestamp.format(now)), .int(key.id)])
            key.revokedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            return key
        }
    }

    /// Looks a presented key up by its hash.
    public func checkAPIKey(_ presented: String) throws -> APIKeyCheck {
        let hash = KeyHash.hex(presented)
        return try locked {
            let st = try db.prepare("SELECT \(Self.keyColumns) FROM api_keys WHERE key_hash = ?")
            try st.bind([.text(hash)])
            guard try st.step() else { return .unknown }
            let key = Self.apiKey(st)
            return key.isActive ? .valid(key) : .revoked(key)
        }
    }

    private static let keyColumns = "id, name, created_at, revoked_at, role, departments, districts"

    private static func apiKey(_ st: Statement) -> APIKey {
        func date(_ c: Int32) -> Date? { st.text(c).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        return APIKey(id: st.int64(0), name: st.text(1) ?? "", createdAt: date(2) ?? Date(timeIntervalSince1970: 0),
                      revokedAt: date(3), role: KeyRole(rawValue: st.text(4) ?? "") ?? .intake,
                      scope: KeyScope(departments: stringArray(json: st.text(5)), districts: stringArray(json: st.text(6))))
    }


    // MARK: - Intake

    /// Stores a complaint unless its `externalRef`, or this key's `idempotencyKey`, was seen before — then the
    /// earlier complaint comes back with `created == false`. Check, insert, history entry and idempotency
    /// record happen under the store lock in one transaction, so two identical concurrent calls create one row.
    public func intake(_ c: NewComplaint, idempotencyKey: String? = nil, apiKeyID: Int64? = nil,
                       actor: String? = nil) throws -> IntakeResult {
        guard c.location.isValid else { throw StoreError.invalid("invalid coordinates \(c.location.lon), \(c.location.lat)") }
        let address = try geocode(c.location)
        return try locked {
            if let ref = c.externalRef,
               let id = try db.scalarInt("SELECT id FROM complaints WHERE external_ref = ?", [.text(ref)]),
               let existing = try complaint(id: id) {
                return IntakeResult(complaint: existing, created: false)
            }
            if let key = idempotencyKey, let apiKeyID,
               let id = try db.scalarInt("SELECT complaint_id FROM idempotency_keys WHERE api_key_id = ? AND key = ?",
                                         [.int(apiKeyID), .text(key)]),
               let existing = try complaint(id: id) {
                return IntakeResult(complaint: existing, created: false)
            }
            let id: Int64 = try db.transaction {
                _ = try ensureCategory(c.category)
                // A routing rule (category × district) decides the department and team; else the category's.
                let route = try routeLocked(category: c.category, district: address.districtName)
                let id = try insertRow(c, address: address, department: route?.department, explicitID: nil)
                if let team = route?.team { try db.prepare("UPDATE complaints SET team = ? WHERE id = ?").run([.text(team), .int(id)]) }
                try db.prepare("""
                    INSERT INTO complaint_history(complaint_id, at, from_status, to_status, actor, api_key_id) VALUES (?, ?, NULL, ?, ?, ?)
                    """).run([.int(id), .text(Timestamp.format(c.createdAt)), .text(c.status.rawValue), .opt(actor),
                             apiKeyID.map { .int($0) } ?? .null])
                if let key = idempotencyKey, let apiKeyID {
                    try db.prepare("INSERT INTO idempotency_keys(api_key_id, key, complaint_id, created_at) VALUES (?, ?, ?, ?)")
                        .run([.int(apiKeyID), .text(key), .int(id), .text(Timestamp.format(Date()))])
                }
                try enqueueLocked(.created, complaintID: id, at: Date())
                return id
            }
            guard let stored = try complaint(id: id) else { throw StoreError.notFound("complaint \(id)") }
            return IntakeResult(complaint: stored, created: true)
        }
    }

    // MARK: - Work flow

    /// Applies a status/department/team change (with a note) and records it in the history. A status equal to
    /// the current one is no change; any other must pass `ComplaintStatus.canTransition(to:)`.
    public func applyWorkflow(id: Int64, _ change: WorkflowChange) throws -> WorkflowState {
        try applyWorkflow(id: id, change, check: { _ in })
    }

    public func applyWorkflow(id: Int64, _ change: WorkflowChange, check: (Complaint) throws -> Void) throws -> WorkflowState {
        try locked {
            guard let current = try complaint(id: id) else { throw WorkflowError.notFound(id) }
            try check(current)
            let from = current.fields.status
            var to = from
            if let wanted = change.status, wanted != from {
                guard from.canTransition(to: wanted) else { throw WorkflowError.invalidTransition(from: from, to: wanted) }
                to = wanted
            }
            let now = Timestamp.format(change.at)
            try db.transaction {
                var sets = ["updated_at = ?1", "status = ?2"]
                if to == .resolved && from != .resolved { sets.append("resolved_at = ?1") }
                if to == .open && from == .resolved { sets.append("resolved_at = NULL") }
                if change.department != nil { sets.append("department = ?3") }
                if change.team != nil { sets.append("team = ?4") }
                try db.prepare("UPDATE complaints SET \(sets.joined(separator: ", ")) WHERE id = ?5")
                    .run([.text(now), .text(to.rawValue), .opt(change.department), .opt(change.team), .int(id)])
                try db.prepare("""
                    INSERT INTO complaint_history(complaint_id, at, from_status, to_status, department, team, note, actor, api_key_id)
                    VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(department, (SELECT department FROM categories WHERE code = c.category))
                                             FROM complaints c WHERE id = ?1),
                            (SELECT team FROM complaints WHERE id = ?1), ?5, ?6, ?7)
                    """).run([.int(id), .text(now), .text(from.rawValue), .text(to.rawValue), .opt(change.note), .opt(change.actor),
                             change.apiKeyID.map { .int($0) } ?? .null])
                // The notifications this change makes, in the same transaction.
                let extra: [String: Any] = ["from_status": from.rawValue, "to_status": to.rawValue]
                for event in Self.events(from: from, to: to, change: change, current: current) {
                    try enqueueLocked(event, complaintID: id, extra: extra, at: change.at)
                }
            }
            guard let state = try workflowState(id: id) else { throw WorkflowError.notFound(id) }
            return state
        }
    }

    /// What a work-flow change announces to hooks.
    static func events(from: ComplaintStatus, to: ComplaintStatus, change: WorkflowChange, current: Complaint) -> [HookEvent] {
        var out: [HookEvent] = []
        if let d = change.department, TurkishText.foldKey(d) != TurkishText.foldKey(current.department ?? "") { out.append(.reassigned) }
        if from != to {
            switch to {
            case .assigned: out.append(.assigned)
            case .inProgress: out.append(.started)
            case .resolved: out.append(.resolved)
            case .closed: out.append(.closed)
            case .rejected: out.append(.rejected)
            case .open: out.append(.reopened)
            }
        } else if change.team != nil {
            out.append(.assigned)
        }
        return out
    }

    /// The key behind each history entry of a complaint, oldest first (nil: made without a key, e.g. an import).
    public func historyKeyIDs(complaint id: Int64) throws -> [Int64?] {
        try locked {
            let st = try db.prepare("SELECT api_key_id FROM complaint_history WHERE complaint_id = ? ORDER BY id")
            try st.bind([.int(id)])
            var out: [Int64?] = []
            while try st.step() { out.append(st.isNull(0) ? nil : st.int64(0)) }
            return out
        }
    }

    /// The complaint with its team and history, or nil.
    public func workflowState(id: Int64) throws -> WorkflowState? {
        try locked {
            guard let c = try complaint(id: id) else { return nil }
            let team = try db.scalarText("SELECT team FROM complaints WHERE id = ?", [.int(id)])
            let st = try db.prepare("""
                SELECT at, from_status, to_status, department, team, note, actor FROM complaint_history
                WHERE complaint_id = ? ORDER BY id
                """)
            try st.bind([.int(id)])
            var history: [StatusChange] = []
            while try st.step() {
                let at = st.text(0).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date(timeIntervalSince1970: 0)
                history.append(StatusChange(
                    at: at, from: st.text(1).flatMap(ComplaintStatus.init(rawValue:)),
                    to: ComplaintStatus(rawValue: st.text(2) ?? "") ?? .open, department: st.text(3), team: st.text(4),
                    note: st.text(5), actor: st.text(6)))
            }
            return WorkflowState(complaint: c, team: team, history: history)
        }
    }

    // MARK: - Possible duplicates

    /// Open complaints of `category` within `radiusMetres` of `location`, created in the `days` before `createdAt`
    /// (R-tree `idx_complaints_geom` for the box, exact great-circle distance after), nearest first.
    public func possibleDuplicates(of location: LonLat, category: String, createdAt: Date, radiusMetres: Double = 50,
                                   days: Int = 30, excluding excludedID: Int64? = nil, limit: Int = 20) throws -> [DuplicateCandidate] {
        guard location.isValid, radiusMetres > 0 else { return [] }
        let dLat = radiusMetres / 111_320.0
        let dLon = radiusMetres / (111_320.0 * max(cos(location.lat * .pi / 180), 0.01))
        let since = Timestamp.format(unix: Int64(createdAt.timeIntervalSince1970) - Int64(days) * 86_400)
        let openStatuses = ComplaintStatus.allCases.filter(\.isOpen).map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try locked {
            let st = try db.prepare("""
                SELECT c.id, c.created_at, c.status, c.geom FROM idx_complaints_geom r JOIN complaints c ON c.id = r.pkid
                WHERE r.xmin <= ?1 AND r.xmax >= ?2 AND r.ymin <= ?3 AND r.ymax >= ?4
                  AND c.category = ?5 AND c.status IN (\(openStatuses)) AND c.created_at >= ?6 AND c.id <> ?7
                """)
            try st.bind([.double(location.lon + dLon), .double(location.lon - dLon), .double(location.lat + dLat),
                         .double(location.lat - dLat), .text(category), .text(since), .int(excludedID ?? -1)])
            var out: [DuplicateCandidate] = []
            while try st.step() {
                guard let p = st.withBytes(3, { SpatiaLiteBlob.readPoint($0) }) else { continue }
                let d = Self.haversineMetres(location, p)
                guard d <= radiusMetres else { continue }
                let created = st.text(1).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date(timeIntervalSince1970: 0)
                out.append(DuplicateCandidate(id: st.int64(0), distanceMetres: d, createdAt: created,
                                              status: ComplaintStatus(rawValue: st.text(2) ?? "") ?? .open))
            }
            out.sort { $0.distanceMetres != $1.distanceMetres ? $0.distanceMetres < $1.distanceMetres : $0.id < $1.id }
            return Array(out.prefix(limit))
        }
    }

    /// Great-circle distance on the WGS 84 mean sphere (R = 6,371,008.8 m).
    public static func haversineMetres(_ a: LonLat, _ b: LonLat) -> Double {
        let r = 6_371_008.8, rad = Double.pi / 180
        let dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.lat * rad) * cos(b.lat * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }
}
