import Foundation

/// What the rest of taskmap knows about storage. SQL lives behind this protocol (SpatiaLite today; a PostGIS
/// backend for a metropolitan pool of districts can implement the same protocol later).
public protocol ComplaintStore: AnyObject {
    /// Districts (ilçe), in Turkish alphabetical order.
    func districts() throws -> [District]
    /// All mahalle with their boundaries.
    func mahalleList() throws -> [Mahalle]
    /// All categories, by code.
    func categories() throws -> [Category]
    /// Number of stored complaints.
    func complaintCount() throws -> Int
    /// The compact in-memory index of every complaint (for tiles and analytics).
    func loadSnapshot() throws -> ComplaintSnapshot
    /// The same, from a cache kept beside the store when it is current (fast start-up for every command).
    func loadSnapshotCached() throws -> ComplaintSnapshot
    /// Reverse-geocodes and stores one complaint, creating its category if new. Returns it with its id and address.
    func insert(_ complaint: NewComplaint) throws -> Complaint
    /// One complaint by id (personal fields included: callers decide what to expose).
    func complaint(id: Int64) throws -> Complaint?
    /// Work not closed yet (open, assigned, in progress, resolved) with all fields and the team; only these
    /// departments (the store's spelling) when given.
    func openWork(departments: [String]?) throws -> [(complaint: Complaint, team: String?)]
    /// Point → mahalle, street and door number.
    func geocode(_ p: LonLat) throws -> AddressMatch
    /// Address text -> places (door, street or mahalle precision; several when ambiguous).
    func geocode(address: String) throws -> [GeocodeCandidate]

    // Work flow (the server's needs; SpatiaLite: SpatiaLiteStore+Workflow.swift).

    /// Stores a complaint unless its external ref, or this API key's idempotency key, was seen before.
    func intake(_ complaint: NewComplaint, idempotencyKey: String?, apiKeyID: Int64?, actor: String?) throws -> IntakeResult
    /// Applies a status/department/team change and records it in the history (invalid transition → `WorkflowError`).
    func applyWorkflow(id: Int64, _ change: WorkflowChange) throws -> WorkflowState
    /// The same, with `check` run on the complaint as it is once it is locked for the change (another server may
    /// have changed it since it was read): the caller's permission check, which may throw to refuse the change.
    func applyWorkflow(id: Int64, _ change: WorkflowChange, check: (Complaint) throws -> Void) throws -> WorkflowState
    /// A complaint with its team and history.
    func workflowState(id: Int64) throws -> WorkflowState?
    /// Open complaints of the category within the radius, created in the days before `createdAt`.
    func possibleDuplicates(of location: LonLat, category: String, createdAt: Date, radiusMetres: Double, days: Int,
                            excluding excludedID: Int64?, limit: Int) throws -> [DuplicateCandidate]
    /// Looks up a presented API key by its SHA-256.
    func checkAPIKey(_ presented: String) throws -> APIKeyCheck
}

/// What the CLI manages on either backend (a SpatiaLite file or a PostGIS pool): imports, keys, routes.
public protocol ManagedStore: ComplaintStore, ImportTarget {
    func createAPIKey(name: String, role: KeyRole, scope: KeyScope, at now: Date) throws -> (key: String, record: APIKey)
    func apiKeys() throws -> [APIKey]
    func revokeAPIKey(_ nameOrID: String, at now: Date) throws -> APIKey
    func setRoute(category: String, district: String?, department: String, team: String?, at now: Date) throws -> Route
    func routes() throws -> [Route]
    func removeRoute(id: Int64) throws -> Bool
}

extension SpatiaLiteStore: ManagedStore {}
extension PostGISStore: ManagedStore {}

/// Opens the store `--db` names: a PostgreSQL URL (`postgresql://…`, or `pg:` for the PG* variables) opens the
/// PostGIS pool, anything else the SpatiaLite file.
public func openStore(_ db: String, applicationName: String = "taskmap") throws -> any ManagedStore {
    PostGISStore.isURL(db) ? try PostGISStore(url: db, applicationName: applicationName) : try SpatiaLiteStore(path: db)
}
