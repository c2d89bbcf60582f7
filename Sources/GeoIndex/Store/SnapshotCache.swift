import Foundation

/// The snapshot of a store saved beside it (`FILE.snapshot`), so that commands that read every complaint (tile,
/// render, needs, serve) start in milliseconds instead of re-reading a million rows through SQL. The file is
/// valid only for the store state it was made from: the key combines the complaints generation (bumped by
/// triggers on every insert, update and delete, whoever makes it) with the mahalle and category tables' shape.
/// A stale or unreadable cache is simply rebuilt; failing to write one (read-only folder) is not an error.
public enum SnapshotCache {
    static let magic: [UInt8] = Array("TMSNAP02".utf8)  // 02: CompactComplaint.flags

    struct Header: Codable {
        var key: String
        var recordStride: Int
        var count: Int
        var categories: [String]
        var mahalle: [Int64]
        var districts: [String]
    }

    public static func path(for db: String) -> String { db + ".snapshot" }

    /// The cached snapshot if it is current, else a fresh one from SQL (and the cache rewritten).
    public static func load(_ store: SpatiaLiteStore) throws -> ComplaintSnapshot {
        try load(key: try store.snapshotKey(), file: path(for: store.path)) { try store.loadSnapshot() }
    }

    /// The snapshot in `file` if it was made for `key`, else `build()`'s (and the file rewritten).
    public static func load(key: String, file: String, build: () throws -> ComplaintSnapshot) throws -> ComplaintSnapshot {
        if let snap = read(file, key: key) { return snap }
        let snap = try build()
        write(snap, to: file, key: key)
        return snap
    }

    static func read(_ file: String, key: String) -> ComplaintSnapshot? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped), data.count > 16 else { return nil }
        return data.withUnsafeBytes { raw -> ComplaintSnapshot? in
            guard Array(raw[0..<8]) == magic else { return nil }
            let headerLength = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            guard headerLength > 0, 16 + headerLength <= raw.count,
                  let header = try? JSONDecoder().decode(Header.self, from: Data(raw[16..<(16 + headerLength)])),
                  header.key == key, header.recordStride == MemoryLayout<CompactComplaint>.stride else { return nil }
            let start = 16 + headerLength
            guard start + header.count * header.recordStride == raw.count else { return nil }
            let records = [CompactComplaint](unsafeUninitializedCapacity: header.count) { buf, n in
                memcpy(buf.baseAddress!, raw.baseAddress! + start, header.count * header.recordStride)
                n = header.count
            }
            let tables = ComplaintSnapshot.Tables(categories: Array(header.categories.dropFirst()),
                                                  mahalle: Array(header.mahalle.dropFirst()), districts: Array(header.districts.dropFirst()))
            return ComplaintSnapshot(tables: tables, sortedRecords: records)
        }
    }

    static func write(_ snap: ComplaintSnapshot, to file: String, key: String) {
        let records = snap.mergedRecords()
        let header = Header(key: key, recordStride: MemoryLayout<CompactComplaint>.stride, count: records.count,
                            categories: snap.tables.categories, mahalle: snap.tables.mahalle, districts: snap.tables.districts)
        guard let json = try? JSONEncoder().encode(header) else { return }
        var data = Data(magic)
        withUnsafeBytes(of: UInt64(json.count)) { data.append(contentsOf: $0) }
        data.append(json)
        records.withUnsafeBytes { data.append(contentsOf: $0) }
        let tmp = file + ".tmp-\(getpid())"
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
            if rename(tmp, file) != 0 { try? FileManager.default.removeItem(atPath: tmp) }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
        }
    }
}

extension SpatiaLiteStore {
    /// Identifies the store state a snapshot reflects.
    public func snapshotKey() throws -> String {
        try locked {
            let gen = try db.scalarInt("SELECT value FROM store_meta WHERE key = 'complaints_generation'") ?? -1
            let m = try db.prepare("SELECT count(*), coalesce(max(id), 0) FROM mahalle")
            _ = try m.step()
            let cats = try db.scalarInt("SELECT count(*) FROM categories") ?? 0
            let dists = try db.scalarInt("SELECT count(*) FROM districts") ?? 0
            return "\(gen):\(m.int64(0)):\(m.int64(1)):\(cats):\(dists)"
        }
    }

    /// The snapshot, from the cache file beside the store when it is current (see `SnapshotCache`).
    public func loadSnapshotCached() throws -> ComplaintSnapshot { try SnapshotCache.load(self) }
}

extension ComplaintSnapshot {
    /// Records already in Morton order (as a cache file holds them): no sort.
    init(tables: Tables, sortedRecords: [CompactComplaint]) {
        self.init(tables: tables, records: [])
        self.replaceRecords(sorted: sortedRecords)
    }
}
