import Foundation
import GeoIndex
import Hummingbird

/// The domain the HTTP handlers call: the store, the live snapshot, the event hub and the metrics, with the
/// rules that tie them together (a write is published to the snapshot and to SSE before the call returns).
/// Handlers parse and map results; this type decides.
final class TaskMapService: @unchecked Sendable {
    let store: any ComplaintStore
    let live: LiveSnapshot
    let events: EventHub
    let metrics: ServerMetrics
    /// CPU-heavy work (renders, analytics) runs here, first come first served.
    let work: WorkPool
    let config: ServerConfiguration
    /// Serialises "write to the store, then publish" so that snapshot and SSE see changes in store order.
    private let writeLock = NSLock()
    private let categoriesByCode: [String: Category]
    /// The box of every mahalle; nil when the store has none.
    let mahalleBounds: BoundingBox?
    /// The area intake accepts: `mahalleBounds`, 0.05° (about 5 km) wider.
    let servedArea: BoundingBox?

    init(store: any ComplaintStore, config: ServerConfiguration) throws {
        self.store = store
        self.config = config
        live = try LiveSnapshot(store: store)
        events = EventHub(replayCount: config.eventReplayCount)
        metrics = ServerMetrics()
        work = WorkPool(metrics: metrics, limit: config.workQueueLimit)
        categoriesByCode = Dictionary(try store.categories().map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var area = BoundingBox.empty
        for m in live.mahalle { area.extend(m.geometry.bbox) }
        mahalleBounds = area.isEmpty ? nil : area
        servedArea = area.isEmpty ? nil : area.expanded(byDegrees: 0.05)
    }

    // MARK: - Reference data

    var categories: [Category] { categoriesByCode.values.sorted { $0.code < $1.code } }
    func category(_ code: String) -> Category? { categoriesByCode[code] }

    // MARK: - Authentication

    /// The key behind an `X-API-Key` header (or Open311 `api_key`): missing → 401, unknown or revoked → 403.
    func authenticate(_ presented: String?) throws -> APIKey {
        guard let presented, !presented.isEmpty else {
            throw APIError(.unauthorized, "an API key is required", field: "api_key", headers: [.wwwAuthenticate: "X-API-Key"])
        }
        switch try store.checkAPIKey(presented) {
        case .valid(let key): return key
        case .revoked: throw APIError(.forbidden, "API key revoked", field: "api_key")
        case .unknown: throw APIError(.forbidden, "invalid API key", field: "api_key")
        }
    }

    // MARK: - Work lists

    private let workLock = NSLock()
    private var workCache: [String: (version: UInt64, rows: [(complaint: Complaint, team: String?)])] = [:]

    /// Unclosed work of these departments (nil: all), read from the store once per data version: the work screens
    /// of a department's staff all ask the same question, and every write moves the version.
    func openWork(departments: [String]?) throws -> [(complaint: Complaint, team: String?)] {
        let version = live.current().1
        let key = departments?.joined(separator: "\u{1}") ?? "*"
        if let hit = workLock.withLock({ workCache[key] }), hit.version == version { return hit.rows }
        let rows = try store.openWork(departments: departments)
        workLock.withLock {
            if workCache.count > 256 { workCache.removeAll() }
            workCache[key] = (version, rows)
        }
        return rows
    }

    private var workAnswers: [String: (version: UInt64, body: ByteBuffer)] = [:]

    /// A work-list answer made for this key and query at the current data version (nil: none yet). The screens of
    /// a team re-read the same list (after every event, on every tab switch), and nothing changed in between.
    func cachedWorkAnswer(_ key: String) -> ByteBuffer? {
        let version = live.current().1
        return workLock.withLock { workAnswers[key].flatMap { $0.version == version ? $0.body : nil } }
    }

    /// Keeps an answer made at `version` (the version read before the rows were).
    func keepWorkAnswer(_ key: String, _ body: ByteBuffer, version: UInt64) {
        workLock.withLock {
            if workAnswers.count > 1_024 { workAnswers.removeAll() }
            workAnswers[key] = (version, body)
        }
    }

    // MARK: - Authorisation (roles and scopes: see KeyRole)

    /// The complaint's department (assigned, else its category's) and district, for scope checks.
    private func place(of c: Complaint) -> (department: String?, district: String?) { (c.department, c.address.districtName) }

    /// 403 unless `key` may see and change `c`: staff or above, with the complaint's department and district in
    /// its scope (admin keys act everywhere).
    func authorizeWork(_ key: APIKey, on c: Complaint, action: String = "change") throws {
        guard key.role.changesWork else {
            throw APIError(.forbidden, "key '\(key.name)' is an intake key: it may create complaints, not \(action) them", field: "api_key")
        }
        guard key.role != .admin else { return }
        let (department, district) = place(of: c)
        guard key.scope.covers(department: department), key.scope.covers(district: district) else {
            throw APIError(.forbidden, "complaint \(c.id) belongs to \(department ?? "no department") in \(district ?? "no district"); "
                           + "key '\(key.name)' covers \(key.scope.description)", field: "api_key")
        }
    }

    /// 403 unless `key` may make this change to `c` (beyond `authorizeWork`): closing resolved work is an approval
    /// and moving work to a department outside the key's scope a reassignment — both a supervisor's.
    func authorizeChange(_ key: APIKey, on c: Complaint, _ change: WorkflowChange) throws {
        try authorizeWork(key, on: c)
        if change.status == .closed && c.fields.status != .closed && !key.role.approves {
            throw APIError(.forbidden, "closing work approves it: a supervisor's key is needed (key '\(key.name)' is \(key.role.rawValue))",
                           field: "status")
        }
        if let d = change.department, TurkishText.foldKey(d) != TurkishText.foldKey(c.department ?? ""),
           !key.role.reassignsDepartments && !key.scope.covers(department: d) {
            throw APIError(.forbidden, "moving work to \(d) is a reassignment across departments: a supervisor's key is needed "
                           + "(key '\(key.name)' covers \(key.scope.description))", field: "department")
        }
    }

    /// 403 unless an intake by `key` may land at this place (a key with a district scope creates only there).
    func authorizeIntake(_ key: APIKey, at location: LonLat) throws {
        guard key.scope.districts != nil, key.role != .admin else { return }
        let district = try store.geocode(location).districtName
        guard key.scope.covers(district: district) else {
            throw APIError(.forbidden, "this place is in \(district ?? "no district"); key '\(key.name)' creates complaints in "
                           + (key.scope.districts ?? []).joined(separator: ", "), field: "api_key")
        }
    }

    // MARK: - Writes

    struct IntakeAnswer {
        var result: IntakeResult
        var duplicates: [DuplicateCandidate]
        var publicComplaint: PublicComplaint
    }

    /// Stores (or finds again) a complaint, lists possible duplicates, and publishes it to tiles and SSE.
    /// The category must be a known one (checked at the edge), so intake never creates categories.
    func intake(_ c: NewComplaint, idempotencyKey: String?, key: APIKey) throws -> IntakeAnswer {
        try authorizeIntake(key, at: c.location)
        let result: IntakeResult = try writeLock.withLock {
            let r = try store.intake(c, idempotencyKey: idempotencyKey, apiKeyID: key.id, actor: key.name)
            if r.created {
                live.publish(r.complaint)
                events.publish(kind: "created", departmentKey: r.complaint.department.map(TurkishText.foldKey),
                               json: JSONOutput.string(publicView(r.complaint)))
                metrics.complaintCreated()
            }
            return r
        }
        let stored = result.complaint
        let duplicates = try store.possibleDuplicates(
            of: stored.fields.location, category: stored.fields.category, createdAt: stored.fields.createdAt,
            radiusMetres: config.duplicateRadiusMetres, days: config.duplicateDays, excluding: stored.id, limit: 20)
        return IntakeAnswer(result: result, duplicates: duplicates, publicComplaint: publicView(stored))
    }

    /// Applies a work-flow change made with `key` (checked against its role and scope: 403, or 404 for an unknown
    /// id) and publishes the changed complaint. The history records the key.
    func applyWorkflow(id: Int64, _ change: WorkflowChange, key: APIKey) throws -> WorkflowState {
        guard key.role.changesWork else {
            throw APIError(.forbidden, "key '\(key.name)' is an intake key: it may create complaints, not change them", field: "api_key")
        }
        return try writeLock.withLock {
            guard let current = try store.complaint(id: id) else { throw WorkflowError.notFound(id) }
            try authorizeChange(key, on: current, change)
            var change = change
            change.actor = key.name
            change.apiKeyID = key.id
            // Checked again on the complaint as the store locks it (over a pool, another server may have changed it).
            let state = try store.applyWorkflow(id: id, change) { locked in try self.authorizeChange(key, on: locked, change) }
            live.publish(state.complaint)
            events.publish(kind: "updated", departmentKey: state.complaint.department.map(TurkishText.foldKey),
                           json: JSONOutput.string(publicView(state)))
            metrics.workflowChanged()
            return state
        }
    }

    /// A change another server (or tool) made in the pool: published like a local write, under the same lock so
    /// the snapshot and the event stream keep one order.
    func publishRemote(_ c: Complaint, announce: Bool = true) {
        writeLock.withLock {
            live.publish(c)
            guard announce else { return }
            // Never changed since it was made (no updated_at): a creation; otherwise an update.
            events.publish(kind: c.fields.updatedAt == nil ? "created" : "updated", departmentKey: c.department.map(TurkishText.foldKey),
                           json: JSONOutput.string(publicView(c)))
        }
    }

    /// Replaces the snapshot with `load()`'s under the write lock (a pool's bulk change). Returns its size.
    func replaceSnapshot(_ load: () throws -> ComplaintSnapshot) throws -> Int {
        try writeLock.withLock {
            let s = try load()
            live.replace(with: s)
            return s.count
        }
    }

    // MARK: - Reads

    func publicView(_ c: Complaint) -> PublicComplaint {
        PublicComplaint(c, categoryName: category(c.fields.category)?.nameTR)
    }

    func publicView(_ s: WorkflowState) -> PublicComplaint {
        PublicComplaint(s.complaint, categoryName: category(s.complaint.fields.category)?.nameTR, team: s.team, history: s.history)
    }

    func publicComplaint(id: Int64) throws -> PublicComplaint? {
        try store.workflowState(id: id).map(publicView)
    }
}
