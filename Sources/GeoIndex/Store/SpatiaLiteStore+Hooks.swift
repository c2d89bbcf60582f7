import CSpatiaLite
import Foundation

// Webhooks: the receivers (a city's SMS gateway, a messaging bot) and a durable outbox. An event's outbox rows are
// written in the same transaction as the change that caused it, so a crash can lose neither the change nor its
// notification; the server's delivery loop reads due rows and marks them delivered or schedules a retry.

/// The kinds of event a hook can ask for.
public enum HookEvent: String, CaseIterable, Sendable, Codable {
    /// A complaint was created.
    case created
    /// Assigned to a team (status `assigned`, or a team set).
    case assigned
    /// Work started (`in_progress`).
    case started
    case resolved
    /// Approved (`closed`).
    case closed
    case rejected
    /// Opened again after resolved/closed/rejected.
    case reopened
    /// Moved to another department.
    case reassigned
    /// Still open past its category's resolution target (from the server's SLA timer).
    case overdue
}

/// A webhook receiver. The secret signs each delivery (HMAC-SHA-256); it is kept because signing needs it, and
/// shown once when the hook is made.
public struct Hook: Sendable, Hashable {
    public var id: Int64
    public var url: String
    public var secret: String
    /// Department names (nil = every department).
    public var departments: [String]?
    public var events: [HookEvent]
    public var createdAt: Date
    public var removedAt: Date?

    func wants(_ event: HookEvent, department: String?) -> Bool {
        events.contains(event) && KeyScope(departments: departments).covers(department: department)
    }
}

/// One queued delivery.
public struct HookDelivery: Sendable, Hashable {
    /// The outbox row id: the `X-Taskmap-Delivery` header (stable across retries: receivers de-duplicate on it).
    public var id: Int64
    public var hookID: Int64
    public var url: String
    public var secret: String
    public var complaintID: Int64?
    public var event: String
    public var body: String
    public var attempts: Int
    public var createdAt: Date
}

/// Counts per hook for `taskmap hooks status` and `/metrics`.
public struct HookStatus: Sendable, Hashable {
    public var hook: Hook
    public var delivered: Int
    public var pending: Int
    public var expired: Int
    /// Pending deliveries that have failed at least once.
    public var retrying: Int
    public var oldestPendingAt: Date?
    public var lastError: String?
}

/// The JSON a hook receives, the same from both backends. What a team leader's phone needs: what, where, whose,
/// which state — no personal fields, no staff notes.
enum HookPayload {
    static func body(event: HookEvent, complaintID: Int64, category: String, department: String?, team: String?, status: String,
                     mahalle: String?, district: String?, street: String?, door: String?, lon: Double, lat: Double,
                     createdAt: String, extra: [String: Any], now: Date) throws -> String {
        var complaint: [String: Any] = ["id": complaintID, "category": category, "status": status,
                                        "created_at": createdAt, "lon": lon, "lat": lat]
        complaint["department"] = department ?? NSNull()
        complaint["team"] = team ?? NSNull()
        complaint["mahalle"] = mahalle ?? NSNull()
        complaint["district"] = district ?? NSNull()
        complaint["street"] = street ?? NSNull()
        complaint["door"] = door ?? NSNull()
        var payload: [String: Any] = ["event": event.rawValue, "occurred_at": Timestamp.format(now), "complaint": complaint]
        for (k, v) in extra { payload[k] = v }
        return String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]),
                      as: UTF8.self)
    }
}

/// Hook management as the CLI sees it, on either backend.
public protocol HookAdmin: AnyObject {
    func addHook(url: String, secret: String?, departments: [String]?, events: [HookEvent], at now: Date) throws -> Hook
    func hooks(includeRemoved: Bool) throws -> [Hook]
    func removeHook(id: Int64, at now: Date) throws -> Bool
    func hookStatus() throws -> [HookStatus]
}

extension SpatiaLiteStore: HookAdmin {}

extension SpatiaLiteStore {
    // MARK: - Hooks

    /// Adds a receiver. `secret` nil: a random one (`whsec_` + 32 random bytes, base64url).
    public func addHook(url: String, secret: String? = nil, departments: [String]? = nil, events: [HookEvent] = HookEvent.allCases,
                        at now: Date = Date()) throws -> Hook {
        let secret = secret ?? Self.randomToken(prefix: "whsec_")
        return try locked {
            try db.prepare("INSERT INTO hooks(url, secret, departments, events, created_at) VALUES (?, ?, ?, ?, ?)")
                .run([.text(url), .text(secret), .opt(departments.map(Self.jsonArray)), .text(Self.jsonArray(events.map(\.rawValue))),
                      .text(Timestamp.format(now))])
            return Hook(id: db.lastInsertRowID, url: url, secret: secret, departments: departments, events: events,
                        createdAt: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), removedAt: nil)
        }
    }

    /// Active hooks (and removed ones with `includeRemoved`), oldest first.
    public func hooks(includeRemoved: Bool = false) throws -> [Hook] {
        try locked { try hooksLocked(includeRemoved: includeRemoved) }
    }

    func hooksLocked(includeRemoved: Bool = false) throws -> [Hook] {
        let st = try db.prepare("SELECT id, url, secret, departments, events, created_at, removed_at FROM hooks "
                                + (includeRemoved ? "" : "WHERE removed_at IS NULL ") + "ORDER BY id")
        var out: [Hook] = []
        while try st.step() {
            func date(_ c: Int32) -> Date? { st.text(c).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
            out.append(Hook(id: st.int64(0), url: st.text(1) ?? "", secret: st.text(2) ?? "", departments: Self.stringArray(json: st.text(3)),
                            events: (Self.stringArray(json: st.text(4)) ?? []).compactMap(HookEvent.init(rawValue:)),
                            createdAt: date(5) ?? Date(timeIntervalSince1970: 0), removedAt: date(6)))
        }
        return out
    }

    /// Removes a hook (its pending deliveries expire).
    @discardableResult
    public func removeHook(id: Int64, at now: Date = Date()) throws -> Bool {
        try locked {
            try db.transaction {
                try db.prepare("UPDATE hooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL").run([.text(Timestamp.format(now)), .int(id)])
                let changed = db.changes > 0
                try db.prepare("UPDATE hook_outbox SET expired_at = ? WHERE hook_id = ? AND delivered_at IS NULL AND expired_at IS NULL")
                    .run([.text(Timestamp.format(now)), .int(id)])
                return changed
            }
        }
    }

    // MARK: - Outbox (called inside the transaction of the change)

    /// Queues `event` for every active hook that wants it for this complaint's department. Must run inside the
    /// caller's transaction (under the store lock). Returns the number of rows queued.
    @discardableResult
    func enqueueLocked(_ event: HookEvent, complaintID: Int64, extra: [String: Any] = [:], at now: Date) throws -> Int {
        let hooks = try hooksLocked()
        guard !hooks.isEmpty else { return 0 }
        let row = try db.prepare("""
            SELECT c.category, COALESCE(c.department, (SELECT department FROM categories WHERE code = c.category)), c.team,
                   c.status, m.name, d.name, c.street, c.door, X(c.geom), Y(c.geom), c.created_at
            FROM complaints c LEFT JOIN mahalle m ON m.id = c.mahalle_id LEFT JOIN districts d ON d.id = c.district_id
            WHERE c.id = ?
            """)
        try row.bind([.int(complaintID)])
        guard try row.step() else { return 0 }
        let department = row.text(1)
        let wanting = hooks.filter { $0.wants(event, department: department) }
        guard !wanting.isEmpty else { return 0 }
        let body = try HookPayload.body(event: event, complaintID: complaintID, category: row.text(0) ?? "", department: department,
                                        team: row.text(2), status: row.text(3) ?? "", mahalle: row.text(4), district: row.text(5),
                                        street: row.text(6), door: row.text(7), lon: row.double(8), lat: row.double(9),
                                        createdAt: row.text(10) ?? "", extra: extra, now: now)
        let insert = try db.prepare("""
            INSERT INTO hook_outbox(hook_id, complaint_id, event, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for h in wanting {
            try insert.run([.int(h.id), .int(complaintID), .text(event.rawValue), .text(body), .text(Timestamp.format(now)),
                            .double(now.timeIntervalSince1970)])
        }
        return wanting.count
    }

    /// Queues an event outside any other change (the SLA timer's `overdue`), in its own transaction.
    @discardableResult
    public func enqueue(_ event: HookEvent, complaintID: Int64, at now: Date = Date()) throws -> Int {
        try locked { try db.transaction { try enqueueLocked(event, complaintID: complaintID, at: now) } }
    }

    // MARK: - Delivery (the server's loop)

    /// Deliveries due at `now`, oldest first, at most `limit` — and never one whose earlier event for the same
    /// hook and complaint is still undelivered (events of a complaint arrive in order).
    public func dueDeliveries(now: Date = Date(), limit: Int = 64) throws -> [HookDelivery] {
        try locked {
            let st = try db.prepare("""
                SELECT o.id, o.hook_id, h.url, h.secret, o.complaint_id, o.event, o.body, o.attempts, o.created_at
                FROM hook_outbox o JOIN hooks h ON h.id = o.hook_id
                WHERE o.delivered_at IS NULL AND o.expired_at IS NULL AND o.next_attempt_at <= ?1
                  AND NOT EXISTS (SELECT 1 FROM hook_outbox p WHERE p.hook_id = o.hook_id AND p.complaint_id = o.complaint_id
                                  AND p.id < o.id AND p.delivered_at IS NULL AND p.expired_at IS NULL)
                ORDER BY o.id LIMIT ?2
                """)
            try st.bind([.double(now.timeIntervalSince1970), .int(Int64(limit))])
            var out: [HookDelivery] = []
            while try st.step() {
                out.append(HookDelivery(id: st.int64(0), hookID: st.int64(1), url: st.text(2) ?? "", secret: st.text(3) ?? "",
                                        complaintID: st.isNull(4) ? nil : st.int64(4), event: st.text(5) ?? "", body: st.text(6) ?? "",
                                        attempts: Int(st.int64(7)),
                                        createdAt: st.text(8).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? now))
            }
            return out
        }
    }

    /// The earliest time a pending delivery is due (nil: nothing pending).
    public func nextDeliveryDue() throws -> Date? {
        try locked {
            guard let t = try db.scalarDouble("SELECT min(next_attempt_at) FROM hook_outbox WHERE delivered_at IS NULL AND expired_at IS NULL")
            else { return nil }
            return Date(timeIntervalSince1970: t)
        }
    }

    public func markDelivered(_ id: Int64, at now: Date = Date()) throws {
        try locked {
            try db.prepare("UPDATE hook_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")
                .run([.text(Timestamp.format(now)), .int(id)])
        }
    }

    /// Records a failed attempt: retried at `retryAt`, or expired when that is past `expireAfter` from its creation.
    /// Returns true when it expired.
    @discardableResult
    public func markFailed(_ id: Int64, error: String, retryAt: Date, expireAfter: TimeInterval, now: Date = Date()) throws -> Bool {
        try locked {
            let created = try db.scalarText("SELECT created_at FROM hook_outbox WHERE id = ?", [.int(id)]).flatMap(Timestamp.parse) ?? 0
            let expired = retryAt.timeIntervalSince1970 - Double(created) > expireAfter
            try db.prepare("""
                UPDATE hook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, expired_at = ? WHERE id = ?
                """).run([.text(String(error.prefix(500))), .double(retryAt.timeIntervalSince1970),
                          expired ? .text(Timestamp.format(now)) : .null, .int(id)])
            return expired
        }
    }

    /// Per hook: delivered, pending, retrying, expired, the oldest pending and the last error.
    public func hookStatus() throws -> [HookStatus] {
        try locked {
            var out: [HookStatus] = []
            for h in try hooksLocked(includeRemoved: true) {
                let st = try db.prepare("""
                    SELECT count(delivered_at),
                           sum(delivered_at IS NULL AND expired_at IS NULL),
                           count(expired_at),
                           sum(delivered_at IS NULL AND expired_at IS NULL AND attempts > 0),
                           min(CASE WHEN delivered_at IS NULL AND expired_at IS NULL THEN created_at END),
                           (SELECT last_error FROM hook_outbox WHERE hook_id = ?1 AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1)
                    FROM hook_outbox WHERE hook_id = ?1
                    """)
                try st.bind([.int(h.id)])
                guard try st.step() else { continue }
                out.append(HookStatus(hook: h, delivered: Int(st.int64(0)), pending: Int(st.int64(1)), expired: Int(st.int64(2)),
                                      retrying: Int(st.int64(3)),
                                      oldestPendingAt: st.text(4).flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: TimeInterval($0)) },
                                      lastError: st.text(5)))
            }
            return out
        }
    }

    /// 32 random bytes, base64url, after `prefix`: API keys (`tmk_`) and hook secrets (`whsec_`).
    static func randomToken(prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

}

extension SpatiaLiteStore {
    /// The SLA timer: open work (open, assigned, in progress) past its category's resolution target is announced
    /// once as `overdue`. Only deadlines that passed in the last `window` seconds are announced — a store loaded
    /// with years of history does not page every team leader about last year's backlog; older ones are marked
    /// without an event. Returns the number announced.
    @discardableResult
    public func checkOverdue(slaHours: [String: Double] = [:], defaultHours: Double = 72, window: TimeInterval = 86_400,
                             now: Date = Date()) throws -> Int {
        try locked {
            try db.transaction {
                let st = try db.prepare("""
                    SELECT id, category, created_at FROM complaints
                    WHERE status IN ('open', 'assigned', 'in_progress') AND id NOT IN (SELECT complaint_id FROM overdue_sent)
                    """)
                var due: [(Int64, Bool)] = []
                while try st.step() {
                    guard let created = st.text(2).flatMap(Timestamp.parse) else { continue }
                    let deadline = Double(created) + 3600 * (slaHours[st.text(1) ?? ""] ?? defaultHours)
                    if deadline < now.timeIntervalSince1970 { due.append((st.int64(0), now.timeIntervalSince1970 - deadline <= window)) }
                }
                let mark = try db.prepare("INSERT OR IGNORE INTO overdue_sent(complaint_id, at) VALUES (?, ?)")
                var announced = 0
                for (id, recent) in due {
                    if recent { announced += 1; try enqueueLocked(.overdue, complaintID: id, at: now) }
                    try mark.run([.int(id), .text(Timestamp.format(now))])
                }
                return announced
            }
        }
    }
}
