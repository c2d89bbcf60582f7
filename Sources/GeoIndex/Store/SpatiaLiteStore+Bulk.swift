import CSpatiaLite
import Foundation

/// A parsed, geocoded complaint ready to be written, with the input line it came from (for error messages).
public struct PreparedComplaint: Sendable {
    public var fields: NewComplaint
    public var address: AddressMatch
    public var sourceLine: Int
    public init(fields: NewComplaint, address: AddressMatch, sourceLine: Int) {
        self.fields = fields; self.address = address; self.sourceLine = sourceLine
    }
}

public struct BulkInsertResult: Sendable {
    public var inserted: Int
    public var newCategories: [String]
    public var firstID: Int64
    public var usedPackedRTree: Bool
}

extension SpatiaLiteStore {
    /// Names the input lines whose ids are already in the store (found when the unique index is rebuilt).
    func duplicateRefError(_ rows: [PreparedComplaint], file: String) throws -> ImportError {
        let st = try db.prepare("SELECT external_ref FROM complaints WHERE external_ref IS NOT NULL GROUP BY external_ref HAVING count(*) > 1 LIMIT 5")
        var refs: [String] = []
        while try st.step() { if let r = st.text(0) { refs.append(r) } }
        let lines = Dictionary(rows.compactMap { r in r.fields.externalRef.map { ($0, r.sourceLine) } }, uniquingKeysWith: { a, _ in a })
        let first = refs.first ?? "?"
        return ImportError(file: file, location: lines[first].map { "line \($0)" },
                           message: "complaint id '\(first)' is already in the store" + (refs.count > 1 ? " (and others: \(refs.dropFirst().joined(separator: ", ")))" : ""))
    }

    /// Below this many rows SpatiaLite's own triggers keep the R-tree (about 15 µs a row); above it the R-tree is
    /// rebuilt as a packed STR tree in the same transaction.
    public static let packedRTreeThreshold = 20_000

    /// Writes all rows in ONE transaction: either every row lands or the database is left exactly as it was.
    /// `file` names the input in error messages (with the row's source line).
    public func bulkInsert(_ rows: [PreparedComplaint], file: String) throws -> BulkInsertResult {
        try locked {
            let packed = rows.count >= Self.packedRTreeThreshold
            let existingCategories = Set(try categoryMap().keys)
            var newCategories: [String] = []
            // A large load writes each page once through a rollback journal instead of twice (WAL, then checkpoint).
            // If another connection holds the file (a running server), SQLite refuses and WAL simply stays on.
            if packed {
                try db.execute("PRAGMA foreign_keys=OFF")
                _ = try? db.scalarText("PRAGMA journal_mode=DELETE")
            }
            defer {
                if packed {
                    try? db.execute("PRAGMA foreign_keys=ON")
                    _ = try? db.scalarText("PRAGMA journal_mode=WAL")
                }
            }
            var firstID: Int64 = 0
            var timer = PhaseTimer("bulk")
            do {
                try db.transaction {
                    for code in Set(rows.map(\.fields.category)) where !existingCategories.contains(code) {
                        _ = try ensureCategory(code)
                        newCategories.append(code)
                    }
                    var savedTriggers: [String] = []
                    if packed {
                        // Spatial-index, constraint and timestamp triggers must not fire a million times.
                        let st = try db.prepare("""
                            SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'complaints'
                            AND name IN ('ggi_complaints_geom', 'tmi_complaints_geom', 'gii_complaints_geom', 'complaints_gen_insert')
                            """)
                        var names: [String] = []
                        while try st.step() { names.append(st.text(0)!); savedTriggers.append(st.text(1)!) }
                        for n in names { try db.execute("DROP TRIGGER \"\(n)\"") }
                        for name in Schema.complaintIndexes.keys { try db.execute("DROP INDEX IF EXISTS \(name)") }
                    }
                    firstID = (try db.scalarInt("SELECT max(id) FROM complaints") ?? 0) + 1
                    // Pack the new R-tree on another core while this one inserts the rows.
                    final class Box: @unchecked Sendable { var tree: RTreeBulkLoader.PackedTree? }
                    let packed_ = Box()
                    let packing = DispatchGroup()
                    if packed {
                        var entries: [RTreeBulkLoader.Entry] = []
                        if firstID > 1 {
                            let old = try db.prepare("SELECT id, geom FROM complaints WHERE id < ?")
                            try old.bind([.int(firstID)])
                            while try old.step() {
                                if let p = old.withBytes(1, { SpatiaLiteBlob.readPoint($0) }) {
                                    entries.append(RTreeBulkLoader.pointEntry(id: old.int64(0), lon: p.lon, lat: p.lat))
                                }
                            }
                        }
                        let first = firstID
                        let oldEntries = entries
                        DispatchQueue.global().async(group: packing) {
                            var entries = oldEntries
                            entries.reserveCapacity(oldEntries.count + rows.count)
                            for (i, r) in rows.enumerated() {
                                entries.append(RTreeBulkLoader.pointEntry(id: first + Int64(i), lon: r.fields.location.lon,
                                                                          lat: r.fields.location.lat))
                            }
                            packed_.tree = RTreeBulkLoader.pack(entries)
                        }
                    }
                    defer { packing.wait() }
                    let st = try db.prepare(Self.insertSQL)
                    var blob: [UInt8] = []
                    blob.reserveCapacity(64)
                    for (i, r) in rows.enumerated() {
                        do {
                            try insertRow(r.fields, address: r.address, department: nil,
                                          explicitID: firstID + Int64(i), statement: st, blob: &blob)
                        } catch let e as SQLiteError {
                            if e.code == SQLITE_CONSTRAINT, let ref = r.fields.externalRef {
                                throw ImportError(file: file, location: "line \(r.sourceLine)",
                                                  message: "complaint id '\(ref)' is already in the store")
                            }
                            throw ImportError(file: file, location: "line \(r.sourceLine)", message: e.description)
                        }
                    }
                    timer.mark("insert rows")
                    if packed {
                        packing.wait()
                        timer.mark("wait for packed R-tree")
                        try RTreeBulkLoader.write(db: db, table: "idx_complaints_geom", tree: packed_.tree!)
                        timer.mark("packed R-tree")
                        for (name, sql) in Schema.complaintIndexes {
                            do { try db.execute(sql) } catch let e as SQLiteError where e.code == SQLITE_CONSTRAINT && name == "complaints_ref" {
                                throw try duplicateRefError(rows, file: file)
                            }
                        }
                        timer.mark("secondary indexes")
                        for sql in savedTriggers { try db.execute(sql) }
                        try db.execute("UPDATE store_meta SET value = value + 1 WHERE key = 'complaints_generation'")
                        try db.execute("""
                            UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                            WHERE lower(f_table_name) = 'complaints' AND lower(f_geometry_column) = 'geom'
                            """)
                    }
                }
            } catch {
                cachedCategoriesReset()
                throw error
            }
            timer.mark("commit")
            if packed { try reopen() }
            return BulkInsertResult(inserted: rows.count, newCategories: newCategories, firstID: firstID, usedPackedRTree: packed)
        }
    }
}
