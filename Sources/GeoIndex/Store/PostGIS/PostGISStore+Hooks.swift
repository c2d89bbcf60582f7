import Foundation

// Webhooks in the pool: the same receivers, outbox and payloads as SpatiaLite's (SpatiaLiteStore+Hooks.swift), with
// several servers delivering from one outbox. A server claims due rows with a lease (FOR UPDATE SKIP LOCKED, the
// row's next attempt moved past the delivery timeout), so each delivery is made by one server; if that server dies
// mid-delivery, another retries after the lease (receivers already de-duplicate on X-Taskmap-Delivery). The SLA
// timer's overdue_sent row is inserted ON CONFLICT DO NOTHING: one server announces each deadline.
extension PostGISStore: HookAdmin {
    /// How long a claimed delivery stays with the server that claimed it (longer than the delivery timeout).
    static let deliveryLease: TimeInterval = 30

    public func addHook(url: String, secret: String?, departments: [String]?, events: [HookEvent], at now: Date) throws -> Hook {
        let secret = secret ?? SpatiaLiteStore.randomToken(prefix: "whsec_")
        return try locked {
            let id = try c.scalarInt("""
                INSERT INTO hooks(url, secret, departments, events, created_at) VALUES ($1, $2, $3, $4, to_timestamp($5)) RETURNING id
                """, [url, secret, departments.map(SpatiaLiteStore.jsonArray), SpatiaLiteStore.jsonArray(events.map(\.rawValue)),
                      String(Int64(now.timeIntervalSince1970))]) ?? 0
            return Hook(id: id, url: url, secret: secret, departments: departments, events: events,
                        createdAt: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), removedAt: nil)
        }
    }

    public func hooks(includeRemoved: Bool) throws -> [Hook] {
        try locked { try hooksLocked(includeRemoved: includeRemoved) }
    }

    func hooksLocked(includeRemoved: Bool = false) throws -> [Hook] {
        let r = try c.exec("""
            SELECT id, url, secret, departments, events, extract(epoch FROM created_at)::bigint, extract(epoch FROM removed_at)::bigint
            FROM hooks \(includeRemoved ? "" : "WHERE removed_at IS NULL ") ORDER BY id
            """)
        return (0..<r.rows).map { i in
            Hook(id: r.int64(i, 0), url: r.text(i, 1) ?? "", secret: r.text(i, 2) ?? "",
                 departments: SpatiaLiteStore.stringArray(json: r.text(i, 3)),
                 events: (SpatiaLiteStore.stringArray(json: r.text(i, 4)) ?? []).compactMap(HookEvent.init(rawValue:)),
                 createdAt: Date(timeIntervalSince1970: TimeInterval(r.int64(i, 5))),
                 removedAt: r.optInt64(i, 6).map { Date(timeIntervalSince1970: TimeInterval($0)) })
        }
    }

    public func removeHook(id: Int64, at now: Date) throws -> Bool {
        try locked {
            try c.transaction {
                let t = String(Int64(now.timeIntervalSince1970))
                let changed = try c.exec("UPDATE hooks SET removed_at = to_timestamp($1) WHERE id = $2 AND removed_at IS NULL RETURNING id",
                                         [t, String(id)]).rows > 0
                try c.exec("UPDATE hook_outbox SET expired_at = to_timestamp($1) WHERE hook_id = $2 AND delivered_at IS NULL AND expired_at IS NULL",
                           [t, String(id)])
                return changed
            }
        }
    }

    /// Queues `event` for every active hook that wants it, inside the caller's transaction (under the lock).
    @discardableResult
    func enqueueLocked(_ event: HookEvent, complaintID: Int64, extra: [String: Any] = [:], at now: Date) throws -> Int {
        let hooks = try hooksLocked()
        guard !hooks.isEmpty else { return 0 }
        let r = try c.exec("""
            SELECT c.category, COALESCE(c.department, (SELECT department FROM categories WHERE code = c.category)), c.team,
                   c.status, m.name, d.name, c.street, c.door, ST_X(c.geom), ST_Y(c.geom), extract(epoch FROM c.created_at)::bigint
            FROM complaints c LEFT JOIN mahalle m ON m.id = c.mahalle_id LEFT JOIN districts d ON d.id = c.district_id
            WHERE c.id = $1
            """, [String(complaintID)])
        guard r.rows == 1 else { return 0 }
        let department = r.text(0, 1)
        let wanting = hooks.filter { $0.wants(event, department: department) }
        guard !wanting.isEmpty else { return 0 }
        let body = try HookPayload.body(event: event, complaintID: complaintID, category: r.text(0, 0) ?? "", department: department,
                                        team: r.text(0, 2), status: r.text(0, 3) ?? "", mahalle: r.text(0, 4), district: r.text(0, 5),
                                        street: r.text(0, 6), door: r.text(0, 7), lon: r.double(0, 8), lat: r.double(0, 9),
                                        createdAt: Timestamp.format(unix: r.int64(0, 10)), extra: extra, now: now)
        for h in wanting {
            try c.exec("""
                INSERT INTO hook_outbox(hook_id, complaint_id, event, body, created_at, next_attempt_at)
                VALUES ($1, $2, $3, $4, to_timestamp($5), $6)
                """, [String(h.id), String(complaintID), event.rawValue, body, String(Int64(now.timeIntervalSince1970)),
                      "\(now.timeIntervalSince1970)"])
        }
        return wanting.count
    }

    /// Claims up to `limit` due deliveries for this server (a lease: see `deliveryLease`), in order per hook and
    /// complaint.
    public func dueDeliveries(now: Date, limit: Int) throws -> [HookDelivery] {
        try locked {
            let r = try c.exec("""
                WITH due AS (
                    SELECT o.id FROM hook_outbox o
                    WHERE o.delivered_at IS NULL AND o.expired_at IS NULL AND o.next_attempt_at <= $1
                      AND NOT EXISTS (SELECT 1 FROM hook_outbox p WHERE p.hook_id = o.hook_id AND p.complaint_id = o.complaint_id
                                      AND p.id < o.id AND p.delivered_at IS NULL AND p.expired_at IS NULL)
                    ORDER BY o.id LIMIT $2 FOR UPDATE SKIP LOCKED)
                UPDATE hook_outbox o SET next_attempt_at = $3 FROM due, hooks h
                WHERE o.id = due.id AND h.id = o.hook_id
                RETURNING o.id, o.hook_id, h.url, h.secret, o.complaint_id, o.event, o.body, o.attempts, extract(epoch FROM o.created_at)::bigint
                """, ["\(now.timeIntervalSince1970)", String(limit), "\(now.timeIntervalSince1970 + Self.deliveryLease)"])
            return (0..<r.rows).map { i in
                HookDelivery(id: r.int64(i, 0), hookID: r.int64(i, 1), url: r.text(i, 2) ?? "", secret: r.text(i, 3) ?? "",
                             complaintID: r.optInt64(i, 4), event: r.text(i, 5) ?? "", body: r.text(i, 6) ?? "", attempts: r.int(i, 7),
                             createdAt: Date(timeIntervalSince1970: TimeInterval(r.int64(i, 8))))
            }.sorted { $0.id < $1.id }
        }
    }

    public func markDelivered(_ id: Int64, at now: Date) throws {
        try locked {
            try c.exec("UPDATE hook_outbox SET delivered_at = to_timestamp($1), attempts = attempts + 1, last_error = NULL WHERE id = $2",
                       [String(Int64(now.timeIntervalSince1970)), String(id)])
        }
    }

    @discardableResult
    public func markFailed(_ id: Int64, error: String, retryAt: Date, expireAfter: TimeInterval, now: Date) throws -> Bool {
        try locked {
            let created = Double(try c.scalarInt("SELECT extract(epoch FROM created_at)::bigint FROM hook_outbox WHERE id = $1", [String(id)]) ?? 0)
            let expired = retryAt.timeIntervalSince1970 - created > expireAfter
            try c.exec("""
                UPDATE hook_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2,
                    expired_at = CASE WHEN $3 THEN to_timestamp($4) END WHERE id = $5
                """, [String(error.prefix(500)), "\(retryAt.timeIntervalSince1970)", expired ? "true" : "false",
                      String(Int64(now.timeIntervalSince1970)), String(id)])
            return expired
        }
    }

    public func hookStatus() throws -> [HookStatus] {
        try locked {
            try hooksLocked(includeRemoved: true).map { h in
                let r = try c.exec("""
                    SELECT count(delivered_at), count(*) FILTER (WHERE delivered_at IS NULL AND expired_at IS NULL), count(expired_at),
                           count(*) FILTER (WHERE delivered_at IS NULL AND expired_at IS NULL AND attempts > 0),
                           extract(epoch FROM min(created_at) FILTER (WHERE delivered_at IS NULL AND expired_at IS NULL))::bigint,
                           (SELECT last_error FROM hook_outbox WHERE hook_id = $1 AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1)
                    FROM hook_outbox WHERE hook_id = $1
                    """, [String(h.id)])
                return HookStatus(hook: h, delivered: r.int(0, 0), pending: r.int(0, 1), expired: r.int(0, 2), retrying: r.int(0, 3),
                                  oldestPendingAt: r.optInt64(0, 4).map { Date(timeIntervalSince1970: TimeInterval($0)) }, lastError: r.text(0, 5))
            }
        }
    }

    /// The SLA timer (see SpatiaLiteStore.checkOverdue); with several servers, each deadline is announced once.
    @discardableResult
    public func checkOverdue(slaHours: [String: Double], defaultHours: Double, window: TimeInterval, now: Date) throws -> Int {
        try locked {
            try c.transaction {
                let r = try c.exec("""
                    SELECT id, category, extract(epoch FROM created_at)::bigint FROM complaints c
                    WHERE status IN ('open', 'assigned', 'in_progress') AND NOT EXISTS (SELECT 1 FROM overdue_sent o WHERE o.complaint_id = c.id)
                    ORDER BY id
                    """)
                var announced = 0
                for i in 0..<r.rows {
                    let deadline = Double(r.int64(i, 2)) + 3600 * (slaHours[r.text(i, 1) ?? ""] ?? defaultHours)
                    guard deadline < now.timeIntervalSince1970 else { continue }
                    let id = r.int64(i, 0)
                    let won = try c.exec("INSERT INTO overdue_sent(complaint_id, at) VALUES ($1, to_timestamp($2)) ON CONFLICT DO NOTHING RETURNING complaint_id",
                                         [String(id), String(Int64(now.timeIntervalSince1970))]).rows == 1
                    if won && now.timeIntervalSince1970 - deadline <= window {
                        announced += 1
                        try enqueueLocked(.overdue, complaintID: id, at: now)
                    }
                }
                return announced
            }
        }
    }
}
