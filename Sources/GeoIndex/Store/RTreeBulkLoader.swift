import Foundation

/// Writes a packed Sort-Tile-Recursive R-tree straight into the shadow tables of an SQLite `rtree` virtual table
/// (`<name>_node`, `<name>_rowid`, `<name>_parent`), replacing what was there. SQLite's R-tree costs ~15 µs a row
/// when rows are inserted one by one; packing 1,000,000 points this way takes about a second.
///
/// Node format (SQLite's rtree.c): 2-byte big-endian depth (root only), 2-byte cell count, then cells of an
/// 8-byte big-endian rowid (child node number in interior nodes) and 4 big-endian float32 coordinates
/// (minX, maxX, minY, maxY), zero-padded to the node size. Node 1 is the root.
///
/// The caller must run this inside a transaction with the table's insert triggers disabled, and reopen the
/// connection afterwards: SQLite caches the tree depth per connection.
enum RTreeBulkLoader {
    struct Entry {
        var id: Int64
        var minX, maxX, minY, maxY: Float
    }

    /// Float32 bounds that contain the double value, as SQLite's rtree rounds (down for min, up for max).
    @inline(__always) static func down(_ v: Double) -> Float {
        let f = Float(v)
        return Double(f) > v ? f.nextDown : f
    }
    @inline(__always) static func up(_ v: Double) -> Float {
        let f = Float(v)
        return Double(f) < v ? f.nextUp : f
    }

    static func pointEntry(id: Int64, lon: Double, lat: Double) -> Entry {
        Entry(id: id, minX: down(lon), maxX: up(lon), minY: down(lat), maxY: up(lat))
    }

    /// A packed tree: `levels[0]` are the leaves, the last level holds only the root; `numbers` are node numbers.
    struct PackedTree {
        var levels: [[[Entry]]]
        var numbers: [[Int64]]
    }

    /// SQLite's node size for a 2-D rtree: page size − 64, capped at 51 cells (4 + 51 × 24 = 1228 bytes).
    static let maxCells = 51
    /// Cells written per node: packed to ~80% so that the intake's single inserts afterwards rarely split a
    /// full node (a split in SQLite's R*-tree also force-reinserts a third of the node: a latency spike).
    static let fillCells = 40

    static func rebuild(db: Database, table: String, entries: [Entry]) throws {
        try write(db: db, table: table, tree: pack(entries))
    }

    /// Pure computation (no database): can run on another thread while rows are being inserted.
    static func pack(_ entries: [Entry]) -> PackedTree {

        // Levels bottom-up: each level is a list of nodes, each node a list of child entries.
        var levels: [[[Entry]]] = []
        var current = entries
        repeat {
            let nodes = strPack(current, maxCells: fillCells)
            levels.append(nodes)
            if nodes.count <= 1 { break }
            // The next level's entries: one per node, with the node's bounding box. Packing reorders them, so the
            // id holds the node's index in this level until node numbers are known.
            current = nodes.enumerated().map { index, node in
                var e = Entry(id: Int64(index), minX: .infinity, maxX: -.infinity, minY: .infinity, maxY: -.infinity)
                for c in node {
                    e.minX = min(e.minX, c.minX); e.maxX = max(e.maxX, c.maxX)
                    e.minY = min(e.minY, c.minY); e.maxY = max(e.maxY, c.maxY)
                }
                return e
            }
        } while true
        if levels.last?.isEmpty ?? true { levels = [[[]]] } // empty tree: an empty root leaf

        // Number the nodes: root = 1, then every other node top-down.
        var numbers: [[Int64]] = levels.map { Array(repeating: 0, count: $0.count) }
        var next: Int64 = 2
        for li in stride(from: levels.count - 1, through: 0, by: -1) {
            for ni in 0..<levels[li].count {
                if li == levels.count - 1 { numbers[li][ni] = 1 } else { numbers[li][ni] = next; next += 1 }
            }
        }
        // Interior entries point at their child's node number.
        for li in stride(from: levels.count - 1, through: 1, by: -1) {
            for ni in 0..<levels[li].count {
                for ci in 0..<levels[li][ni].count {
                    levels[li][ni][ci].id = numbers[li - 1][Int(levels[li][ni][ci].id)]
                }
            }
        }

        return PackedTree(levels: levels, numbers: numbers)
    }

    static func write(db: Database, table: String, tree: PackedTree) throws {
        let nodeSize = Int(try db.scalarInt("SELECT length(data) FROM \"\(table)_node\" WHERE nodeno = 1") ?? 0)
        guard nodeSize >= 4 + 24 * maxCells else {
            throw StoreError.invalid("R-tree \(table): node size \(nodeSize) is not the expected \(4 + 24 * maxCells) bytes")
        }
        let levels = tree.levels, numbers = tree.numbers
        try db.execute("DELETE FROM \"\(table)_node\"; DELETE FROM \"\(table)_rowid\"; DELETE FROM \"\(table)_parent\";")
        let insNode = try db.prepare("INSERT INTO \"\(table)_node\"(nodeno, data) VALUES (?, ?)")
        let insRowid = try db.prepare("INSERT INTO \"\(table)_rowid\"(rowid, nodeno) VALUES (?, ?)")
        let insParent = try db.prepare("INSERT INTO \"\(table)_parent\"(nodeno, parentnode) VALUES (?, ?)")
        var buf = [UInt8](repeating: 0, count: nodeSize)
        let depth = levels.count - 1
        // Leaves hold rows in spatial order; the rowid table is written in rowid order (B-tree appends).
        var leafOf: [(rowid: Int64, node: Int64)] = []
        leafOf.reserveCapacity(levels[0].reduce(0) { $0 + $1.count })
        for li in 0..<levels.count {
            for (ni, node) in levels[li].enumerated() {
                let nodeno = numbers[li][ni]
                encode(node, depth: li == levels.count - 1 ? depth : 0, into: &buf)
                try insNode.reset()
                insNode.bindInt(nodeno, at: 1)
                buf.withUnsafeBytes { insNode.bindBlob($0, at: 2) }
                try insNode.step()
                if li == 0 {
                    for e in node { leafOf.append((e.id, nodeno)) }
                } else {
                    for e in node {
                        try insParent.reset()
                        insParent.bindInt(e.id, at: 1); insParent.bindInt(nodeno, at: 2)
                        try insParent.step()
                    }
                }
            }
        }
        leafOf.sort { $0.rowid < $1.rowid }
        for (rowid, node) in leafOf {
            try insRowid.reset()
            insRowid.bindInt(rowid, at: 1); insRowid.bindInt(node, at: 2)
            try insRowid.step()
        }
    }

    /// Sort-Tile-Recursive packing of one level into nodes of at most `maxCells` entries.
    static func strPack(_ items: [Entry], maxCells: Int) -> [[Entry]] {
        if items.isEmpty { return [] }
        let nodeCount = (items.count + maxCells - 1) / maxCells
        let slices = Int(Double(nodeCount).squareRoot().rounded(.up))
        let perSlice = slices * maxCells
        var sorted = items
        sorted.sort { ($0.minX + $0.maxX) < ($1.minX + $1.maxX) }
        var nodes: [[Entry]] = []
        nodes.reserveCapacity(nodeCount)
        var start = 0
        while start < sorted.count {
            let end = min(start + perSlice, sorted.count)
            var slice = Array(sorted[start..<end])
            slice.sort { ($0.minY + $0.maxY) < ($1.minY + $1.maxY) }
            var k = 0
            while k < slice.count {
                let e = min(k + maxCells, slice.count)
                nodes.append(Array(slice[k..<e]))
                k = e
            }
            start = end
        }
        return nodes
    }

    static func encode(_ cells: [Entry], depth: Int, into buf: inout [UInt8]) {
        for i in 0..<buf.count { buf[i] = 0 }
        buf[0] = UInt8((depth >> 8) & 0xFF); buf[1] = UInt8(depth & 0xFF)
        buf[2] = UInt8((cells.count >> 8) & 0xFF); buf[3] = UInt8(cells.count & 0xFF)
        var o = 4
        for c in cells {
            let id = UInt64(bitPattern: c.id)
            for k in 0..<8 { buf[o + k] = UInt8((id >> UInt64(56 - 8 * k)) & 0xFF) }
            o += 8
            @inline(__always) func put(_ f: Float) {
                let bits = f.bitPattern
                buf[o] = UInt8(bits >> 24); buf[o + 1] = UInt8((bits >> 16) & 0xFF)
                buf[o + 2] = UInt8((bits >> 8) & 0xFF); buf[o + 3] = UInt8(bits & 0xFF)
                o += 4
            }
            put(c.minX); put(c.maxX); put(c.minY); put(c.maxY)
        }
    }
}
