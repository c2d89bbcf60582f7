import Foundation

// The server's side of the pool: keys, idempotent intake with routing, the work flow and its history, duplicate
// hints across district borders. The same rules as SpatiaLiteStore+Workflow, in PostgreSQL; concurrent writers in
// several processes are serialised by the database (unique indexes, row locks), not by a process lock.
extension PostGISStore {
    // MARK: - API keys

    public func createAPIKey(name: String, role: KeyRole = .staff, scope: KeyScope = .everything,
                             at now: Date = Date()) throws -> (key: String, record: APIKey) {
        let key = SpatiaLiteStore.randomToken(prefix: "tmk_")
        return try locked {
            let r: PGResult
            do {
                r = try c.exec("""
                    INSERT INTO api_keys(name, key_hash, created_at, role, departments, districts)
                    VALUES ($1, $2, to_timestamp($3), $4, $5, $6) RETURNING id
                    """, [name, KeyHash.hex(key), String(Int64(now.timeIntervalSince1970)), role.rawValue,
                          scope.departments.map(SpatiaLiteStore.jsonArray), scope.districts.map(SpatiaLiteStore.jsonArray)])
            } catch let e as PGError where e.isUniqueViolation {
                throw WorkflowError.keyNameTaken(name)
            }
            let created = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            return (key, APIKey(id: r.int64(0, 0), name: name, createdAt: created, role: role, scope: scope))
        }
    }

    private static let keyColumns = """
        id, name, extract(epoch FROM created_at)::bigint, extract(epoch FROM revoked_at)::bigint, role, departments, districts
        """

    private static func apiKey(_ r: PGResult, _ i: Int) -> APIKey {
        APIKey(id: r.int64(i, 0), name: r.text(i, 1) ?? "", createdAt: Date(timeIntervalSince1970: TimeInterval(r.int64(i, 2))),
               revokedAt: r.optInt64(i, 3).map { Date(timeIntervalSince1970: TimeInterval($0)) },
               role: KeyRole(rawValue: r.text(i, 4) ?? "") ?? .intake,
               scope: KeyScope(departments: SpatiaLiteStore.stringArray(json: r.text(i, 5)),
                               districts: SpatiaLiteStore.stringArray(json: r.text(i, 6))))
    }

    public func apiKeys() throws -> [APIKey] {
        try locked {
            let r = try c.exec("SELECT \(Self.keyColumns) FROM api_keys ORDER BY id")
            return (0..<r.rows).map { Self.apiKey(r, $0) }
        }
    }

    @discardableResult
    public func revokeAPIKey(_ nameOrID: String, at now: Date = Date()) throws -> APIKey {
        try locked {
            let r = try c.exec("""
                UPDATE api_keys SET revoked_at = to_timestamp($2) WHERE id = (
                    SELECT id FROM api_keys WHERE revoked_at IS NULL AND (name = $1 OR id::text = $1) ORDER BY name = $1 DESC LIMIT 1)
                RETURNING \(Self.keyColumns)
                """, [nameOrID, String(Int64(now.timeIntervalSince1970))])
            guard r.rows == 1 else { throw WorkflowError.keyNotFound(nameOrID) }
            return Self.apiKey(r, 0)
        }
    }

    public func checkAPIKey(_ presented: String) throws -> APIKeyCheck {
        try locked {
            let r = try c.exec("SELECT \(Self.keyColumns) FROM api_keys WHERE key_hash = $1", [KeyHash.hex(presented)])
            guard r.rows == 1 else { return .unknown }
            let key = Self.apiKey(r, 0)
            return key.isActive ? .valid(key) : .revoked(key)
        }
    }

    // MARK: - Routes

    @discardableResult
    public func setRoute(category: String, district: String?, department: String, team: String?, at now: Date = Date()) throws -> Route {
        try locked {
            try c.transaction {
                try c.exec("DELETE FROM routes WHERE category = $1 AND COALESCE(district, '') = $2", [category, district ?? ""])
                let id = try c.scalarInt("""
                    INSERT INTO routes(category, district, department, team, created_at) VALUES ($1, $2, $3, $4, to_timestamp($5)) RETURNING id
                    """, [category, district, department, team, String(Int64(now.timeIntervalSince1970))]) ?? 0
                return Route(id: id, category: category, district: district, department: department, team: team)
            }
        }
    }

    public func routes() throws -> [Route] {
        try locked {
            let r = try c.exec("SELECT id, category, district, department, team FROM routes ORDER BY category, district IS NOT NULL, district")
            return (0..<r.rows).map { Route(id: r.int64($0, 0), category: r.text($0, 1) ?? "", district: r.text($0, 2),
                                            department: r.text($0, 3) ?? "", team: r.text($0, 4)) }
        }
    }

    @discardableResult
    public func removeRoute(id: Int64) throws -> Bool {
        try locked { try c.exec("DELETE FROM routes WHERE id = $1 RETURNING id", [String(id)]).rows > 0 }
    }

    func routeLocked(category: String, district: String?) throws -> Route? {
        let r = try c.exec("""
            SELECT id, category, district, department, team FROM routes
            WHERE category = $1 AND (district IS NULL OR district = $2) ORDER BY district IS NULL LIMIT 1
            """, [category, district])
        guard r.rows == 1 else { return nil }
        return Route(id: r.int64(0, 0), category: r.text(0, 1) ?? "", district: r.text(0, 2), department: r.text(0, 3) ?? "", team: r.text(0, 4))
    }

    // MARK: - Writes

    /// The category, created (named after its code, department unknown) if new.
    func ensureCategoryLocked(_ code: String) throws -> Category {
        if let cat = try categoryMap()[code] { return cat }
        try c.exec("INSERT INTO categories(code, name_tr, name_en, department) VALUES ($1, $1, $1, 'Belirtilmemiş') ON CONFLICT DO NOTHING", [code])
        resetCaches()
        return try categoryMap()[code] ?? Category(code: code, nameTR: code, nameEN: code, department: "Belirtilmemiş")
    }

    static let insertColumns = """
        external_ref, category, channel, type, status, created_at, updated_at, resolved_at, satisfaction, description,
        media_urls, contact_name, contact_phone, contact_email, mahalle_id, district_id, street, door, department, team,
        geom, channel_text, type_text, quality
        """

    /// One complaint's row; returns its id. Caller holds the lock (and a transaction when it writes more).
    func insertLocked(_ f: NewComplaint, address a: AddressMatch, department: String?, team: String?) throws -> Int64 {
        let unix = { (d: Date) in String(Int64(d.timeIntervalSince1970.rounded(.down))) }
        let r = try c.exec("""
            INSERT INTO complaints(\(Self.insertColumns)) VALUES ($1, $2, $3, $4, $5, to_timestamp($6), to_timestamp($7), to_timestamp($8),
                $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, ST_SetSRID(ST_MakePoint($21, $22), 4326), $23, $24, $25)
            RETURNING id
            """, [f.externalRef, f.category, f.channel.rawValue, f.type.rawValue, f.status.rawValue, unix(f.createdAt),
                  f.updatedAt.map(unix), f.resolvedAt.map(unix), f.satisfaction.map(String.init), f.description,
                  f.mediaURLs.isEmpty ? nil : SpatiaLiteStore.jsonArray(f.mediaURLs), f.contactName, f.contactPhone,
                  f.contactEmail, a.mahalleID.map(String.init), a.districtID.map(String.init), a.street, a.doorNumber,
                  department, team, "\(f.location.lon)", "\(f.location.lat)", f.channelText, f.typeText, String(f.dataIssues.rawValue)])
        return r.int64(0, 0)
    }

    public func insert(_ complaint: NewComplaint) throws -> Complaint {
        guard complaint.location.isValid else { throw StoreError.invalid("invalid coordinates") }
        let address = try geocode(complaint.location)
        return try locked {
            let id: Int64 = try c.transaction {
                let cat = try ensureCategoryLocked(complaint.category)
                _ = cat
                let route = try routeLocked(category: complaint.category, district: address.districtName)
                let id = try insertLocked(complaint, address: address, department: route?.department, team: route?.team)
                try enqueueLocked(.created, complaintID: id, at: Date())
                return id
            }
            guard let stored = try complaintsLocked(where: "c.id = $1", [String(id)]).first?.complaint else {
                throw StoreError.notFound("complaint \(id)")
            }
            return stored
        }
    }

    /// Stores a complaint unless its external ref — anywhere in the pool, whichever district or server took it —
    /// or this key's idempotency key was seen before. Two servers taking the same complaint at once: the unique
    /// index on external_ref (or the idempotency key) lets one insert win; the other returns that one.
    public func intake(_ new: NewComplaint, idempotencyKey: String?, apiKeyID: Int64?, actor: String?) throws -> IntakeResult {
        guard new.location.isValid else { throw StoreError.invalid("invalid coordinates \(new.location.lon), \(new.location.lat)") }
        let address = try geocode(new.location)
        return try locked {
            func existing() throws -> Complaint? {
                if let ref = new.externalRef, let id = try c.scalarInt("SELECT id FROM complaints WHERE external_ref = $1", [ref]) {
                    return try complaintsLocked(where: "c.id = $1", [String(id)]).first?.complaint
                }
                if let key = idempotencyKey, let apiKeyID,
                   let id = try c.scalarInt("SELECT complaint_id FROM idempotency_keys WHERE api_key_id = $1 AND key = $2",
                                            [String(apiKeyID), key]) {
                    return try complaintsLocked(where: "c.id = $1", [String(id)]).first?.complaint
                }
                return nil
            }
            if let found = try existing() { return IntakeResult(complaint: found, created: false) }
            let id: Int64
            do {
                id = try c.transaction {
                    _ = try ensureCategoryLocked(new.category)
                    let route = try routeLocked(category: new.category, district: address.districtName)
                    let id = try insertLocked(new, address: address, department: route?.department, team: route?.team)
                    try c.exec("""
                        INSERT INTO complaint_history(complaint_id, at, from_status, to_status, actor, api_key_id)
                        VALUES ($1, to_timestamp($2), NULL, $3, $4, $5)
                        """, [String(id), String(Int64(new.createdAt.timeIntervalSince1970)), new.status.rawValue, actor,
                              apiKeyID.map(String.init)])
                    if let key = idempotencyKey, let apiKeyID {
                        try c.exec("INSERT INTO idempotency_keys(api_key_id, key, complaint_id, created_at) VALUES ($1, $2, $3, now())",
                                   [String(apiKeyID), key, String(id)])
                    }
                    try enqueueLocked(.created, complaintID: id, at: Date())
                    return id
                }
            } catch let e as PGError where e.isUniqueViolation {
                // Another server stored it between the check and the insert.
                if let found = try existing() { return IntakeResult(complaint: found, created: false) }
                throw e
            }
            guard let stored = try complaintsLocked(where: "c.id = $1", [String(id)]).first?.complaint else {
                throw StoreError.notFound("complaint \(id)")
            }
            return IntakeResult(complaint: stored, created: true)
        }
    }

    /// The work-flow change, with the complaint's row locked (FOR UPDATE) so two servers changing one complaint
    /// apply one after the other, each from the state the other left.
    public func applyWorkflow(id: Int64, _ change: WorkflowChange) throws -> WorkflowState {
        try applyWorkflow(id: id, change, check: { _ in })
    }

    public func applyWorkflow(id: Int64, _ change: WorkflowChange, check: (Complaint) throws -> Void) throws -> WorkflowState {
        try locked {
            try c.transaction {
                guard try c.exec("SELECT id FROM complaints WHERE id = $1 FOR UPDATE", [String(id)]).rows == 1,
                      let current = try complaintsLocked(where: "c.id = $1", [String(id)]).first?.complaint
                else { throw WorkflowError.notFound(id) }
                // The permission check on the row as locked: a reassignment by another server in the meantime counts.
                try check(current)
                let from = current.fields.status
                var to = from
                if let wanted = change.status, wanted != from {
                    guard from.canTransition(to: wanted) else { throw WorkflowError.invalidTransition(from: from, to: wanted) }
                    to = wanted
                }
                // nil department/team: unchanged (COALESCE keeps the column).
                var sets = ["updated_at = to_timestamp($1)", "status = $2", "department = COALESCE($3, department)", "team = COALESCE($4, team)"]
                if to == .resolved && from != .resolved { sets.append("resolved_at = to_timestamp($1)") }
                if to == .open && from == .resolved { sets.append("resolved_at = NULL") }
                let now = String(Int64(change.at.timeIntervalSince1970))
                try c.exec("UPDATE complaints SET \(sets.joined(separator: ", ")) WHERE id = $5",
                           [now, to.rawValue, change.department, change.team, String(id)])
                try c.exec("""
                    INSERT INTO complaint_history(complaint_id, at, from_status, to_status, department, team, note, actor, api_key_id)
                    SELECT $1, to_timestamp($2), $3, $4, COALESCE(c.department, (SELECT department FROM categories WHERE code = c.category)),
                           c.team, $5, $6, $7 FROM complaints c WHERE c.id = $1
                    """, [String(id), now, from.rawValue, to.rawValue, change.note, change.actor, change.apiKeyID.map(String.init)])
                // The notifications this change makes, in the same transaction.
                let extra: [String: Any] = ["from_status": from.rawValue, "to_status": to.rawValue]
                for event in SpatiaLiteStore.events(from: from, to: to, change: change, current: current) {
                    try enqueueLocked(event, complaintID: id, extra: extra, at: change.at)
                }
            }
            guard let state = try workflowState(id: id) else { throw WorkflowError.notFound(id) }
            return state
        }
    }

    public func workflowState(id: Int64) throws -> WorkflowState? {
        try locked {
            guard let row = try complaintsLocked(where: "c.id = $1", [String(id)]).first else { return nil }
            let r = try c.exec("""
                SELECT extract(epoch FROM at)::bigint, from_status, to_status, department, team, note, actor
                FROM complaint_history WHERE complaint_id = $1 ORDER BY id
                """, [String(id)])
            let history = (0..<r.rows).map { i in
                StatusChange(at: Date(timeIntervalSince1970: TimeInterval(r.int64(i, 0))),
                             from: r.text(i, 1).flatMap(ComplaintStatus.init(rawValue:)),
                             to: ComplaintStatus(rawValue: r.text(i, 2) ?? "") ?? .open, department: r.text(i, 3),
                             team: r.text(i, 4), note: r.text(i, 5), actor: r.text(i, 6))
            }
            return WorkflowState(complaint: row.complaint, team: row.team, history: history)
        }
    }

    /// Open complaints of the category near the point, pool-wide (across district borders: a complaint on a
    /// boundary street may have been taken by the neighbouring district). GiST box first, exact distance after
    /// (the same great-circle distance as SpatiaLite's, so both backends list the same candidates).
    public func possibleDuplicates(of location: LonLat, category: String, createdAt: Date, radiusMetres: Double,
                                   days: Int, excluding excludedID: Int64?, limit: Int) throws -> [DuplicateCandidate] {
        guard location.isValid, radiusMetres > 0 else { return [] }
        let dLat = radiusMetres / 111_320.0
        let dLon = radiusMetres / (111_320.0 * max(cos(location.lat * .pi / 180), 0.01))
        let since = Int64(createdAt.timeIntervalSince1970) - Int64(days) * 86_400
        let open = ComplaintStatus.allCases.filter(\.isOpen).map(\.rawValue)
        return try locked {
            let r = try c.exec("""
                SELECT id, extract(epoch FROM created_at)::bigint, status, ST_X(geom), ST_Y(geom) FROM complaints
                WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND category = $5 AND status = ANY($6::text[])
                  AND created_at >= to_timestamp($7) AND id <> $8
                """, ["\(location.lon - dLon)", "\(location.lat - dLat)", "\(location.lon + dLon)", "\(location.lat + dLat)",
                      category, Self.textArray(open), String(since), String(excludedID ?? -1)])
            var out: [DuplicateCandidate] = []
            for i in 0..<r.rows {
                let d = SpatiaLiteStore.haversineMetres(location, LonLat(lon: r.double(i, 3), lat: r.double(i, 4)))
                guard d <= radiusMetres else { continue }
                out.append(DuplicateCandidate(id: r.int64(i, 0), distanceMetres: d,
                                              createdAt: Date(timeIntervalSince1970: TimeInterval(r.int64(i, 1))),
                                              status: ComplaintStatus(rawValue: r.text(i, 2) ?? "") ?? .open))
            }
            out.sort { $0.distanceMetres != $1.distanceMetres ? $0.distanceMetres < $1.distanceMetres : $0.id < $1.id }
            return Array(out.prefix(limit))
        }
    }
}
