import Foundation
import GeoIndex

/// The one place that holds the current `ComplaintSnapshot` (what tiles, queries and analytics read) and the
/// data version. Every insert or work-flow change publishes a new snapshot at once, bumps the version and
/// records where the change happened, so that caches can tell whether it touches them.
final class LiveSnapshot: @unchecked Sendable {
    /// A change: its version, where it is (fixed-point mercator), and the mahalle it is in (table index).
    struct Change: Sendable {
        var version: UInt64
        var x: UInt32
        var y: UInt32
        var mahalle: UInt16
    }

    /// Guards the snapshot, version and change log; held only to read them or swap in a new snapshot.
    private let lock = NSLock()
    /// Serialises publishers (they build the next snapshot from the current one).
    private let publishing = NSLock()
    private var snapshot: ComplaintSnapshot
    private var version: UInt64 = 1
    /// Recent changes, oldest first; at most `changeLogLimit`.
    private var changes: [Change] = []
    private let changeLogLimit = 50_000

    let mahalle: [Mahalle]
    let districts: [District]
    /// Mahalle by id, code or Turkish-folded name (the same lookup the CLI uses).
    let directory: MahalleDirectory

    init(store: any ComplaintStore) throws {
        snapshot = try store.loadSnapshotCached()
        mahalle = try store.mahalleList()
        districts = try store.districts()
        directory = MahalleDirectory(mahalle)
    }

    /// The current snapshot and its data version.
    func current() -> (snapshot: ComplaintSnapshot, version: UInt64) {
        lock.withLock { (snapshot, version) }
    }

    var dataVersion: UInt64 { lock.withLock { version } }

    func mahalle(id: Int64) -> Mahalle? { directory.byID[id] }

    /// Mahalle ids for a filter value: an id, a code or a name (Turkish-folded).
    func mahalleIDs(matching key: String) -> [Int64] { directory.ids(matching: key) }

    /// Compiles a filter against a snapshot's tables, resolving mahalle names/codes/ids.
    func compile(_ filter: ComplaintFilter, for snap: ComplaintSnapshot) -> CompiledFilter {
        snap.compile(filter, directory: directory)
    }

    /// Publishes a new or changed complaint: new snapshot, version + 1, change logged. Returns the new version.
    /// The new snapshot is built outside the readers' lock (one publisher at a time), so a reader — a tile hit on
    /// an event loop among them — waits at most for the swap, never for a tail copy or merge.
    @discardableResult
    func publish(_ c: Complaint) -> UInt64 {
        publishing.withLock {
            let base = lock.withLock { snapshot }
            var tables = base.tables
            let record = Self.record(c, tables: &tables)
            let next = base.inserting(record, tables: tables.categories.count == base.tables.categories.count ? nil : tables)
            return lock.withLock {
                snapshot = next
                version += 1
                changes.append(Change(version: version, x: record.x, y: record.y, mahalle: record.mahalle))
                if changes.count > changeLogLimit { changes.removeFirst(changes.count - changeLogLimit / 2) }
                return version
            }
        }
    }

    /// The compact record of a complaint against these tables (a new category is added to them).
    static func record(_ c: Complaint, tables: inout ComplaintSnapshot.Tables) -> CompactComplaint {
        let category = tables.addCategory(c.fields.category)
        let mahalleIndex = c.address.mahalleID.flatMap { tables.mahalleIndex[$0] } ?? 0
        let districtIndex = c.address.districtName.flatMap { tables.districtIndex[$0] } ?? 0
        let unix = { (d: Date) in Int64(d.timeIntervalSince1970.rounded(.down)) }
        return SpatiaLiteStore.compact(
            id: c.id, location: c.fields.location, category: category,
            status: CompiledFilter.statusCode(c.fields.status), channel: CompiledFilter.channelCode(c.fields.channel),
            type: CompiledFilter.typeCode(c.fields.type), created: unix(c.fields.createdAt),
            resolved: c.fields.resolvedAt.map(unix), mahalle: mahalleIndex, district: districtIndex,
            satisfaction: c.fields.satisfaction, issues: c.fields.dataIssues)
    }

    /// Replaces the whole snapshot (the pool had a bulk import or a district moved in). Every cache entry made
    /// before is stale: the change log restarts, so `changed(since:)` answers yes for any older version.
    @discardableResult
    func replace(with next: ComplaintSnapshot) -> UInt64 {
        publishing.withLock {
            lock.withLock {
                snapshot = next
                version += 1
                changes.removeAll()
                return version
            }
        }
    }

    /// Takes a complaint out (deleted in the pool by another tool).
    @discardableResult
    func remove(id: Int64) -> UInt64 {
        publishing.withLock {
            let base = lock.withLock { snapshot }
            var next = base
            next.remove(id: UInt32(truncatingIfNeeded: id))
            return lock.withLock {
                snapshot = next
                version += 1
                changes.removeAll()
                return version
            }
        }
    }

    /// Whether anything changed after `since` inside the fixed-point box, or in one of the given mahalle
    /// (table indexes; for layers whose look depends on whole-mahalle figures). If the change log no longer
    /// reaches back to `since`, the answer is conservatively yes.
    func changed(since: UInt64, inBoxX x0: UInt32, _ x1: UInt32, y y0: UInt32, _ y1: UInt32,
                 orMahalle mahalleSet: Set<UInt16> = []) -> Bool {
        lock.withLock {
            if since >= version { return false }
            guard let first = changes.first, first.version <= since + 1 else { return true }
            // Changes are in version order: scan from the end back to `since`.
            for change in changes.reversed() {
                if change.version <= since { break }
                if change.x >= x0 && change.x <= x1 && change.y >= y0 && change.y <= y1 { return true }
                if !mahalleSet.isEmpty && mahalleSet.contains(change.mahalle) { return true }
            }
            return false
        }
    }

    /// WGS 84 position of a compact record (±1 cm).
    static func lonLat(_ r: CompactComplaint) -> LonLat {
        WebMercator.lonLat(x: (Double(r.x) + 0.5) / 4_294_967_296.0, y: (Double(r.y) + 0.5) / 4_294_967_296.0)
    }
}
