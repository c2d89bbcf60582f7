import Foundation
import GeoIndex

/// What the pin layer draws, as data: a pin per complaint, or a cluster per grid cell (the aggregate stage).
public struct PinMark: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// One complaint: its category (snapshot table index) and whether it is still open.
        case pin(category: UInt8, open: Bool)
        /// Several complaints: how many, how many still open, and their category if they all share one.
        case cluster(count: Int, open: Int, category: UInt8?)
    }
    /// Position in canvas pixels (continuous; the tile's north-west corner is (buffer, buffer)).
    public var x: Double
    public var y: Double
    public var kind: Kind
}

public enum PinAggregate {
    /// Status codes that count as open (open, assigned, in progress), as a bit mask over `CompiledFilter.statusCode`.
    static let openMask: UInt32 = ComplaintStatus.allCases.filter(\.isOpen)
        .reduce(0) { $0 | (1 << UInt32(CompiledFilter.statusCode($1))) }

    /// One pin per complaint on the canvas, resolved ones first so that open ones are drawn on top.
    public static func pins(_ snapshot: ComplaintSnapshot, canvas: TileCanvas, filter: CompiledFilter,
                            candidates: CandidatePositions? = nil) -> [PinMark] {
        var open: [PinMark] = [], done: [PinMark] = []
        let b = canvas.fixedBox
        snapshot.forEachRecord(inBoxX: b.x0, b.x1, y: b.y0, b.y1, filter: filter, candidates: candidates) { r in
            let p = canvas.point(fixedX: r.x, fixedY: r.y)
            let isOpen = openMask & (1 << UInt32(r.status)) != 0
            let m = PinMark(x: p.x, y: p.y, kind: .pin(category: r.category, open: isOpen))
            if isOpen { open.append(m) } else { done.append(m) }
        }
        return done + open
    }

    /// Clusters in an aligned grid of `cellPixels` (power of two, at 256-px tiles) cells of the tile's zoom, each
    /// at the mean position of its complaints; a cell with one complaint is a pin. The grid is global, so a
    /// cluster is the same in every tile that shows it (no seams); the canvas buffer should be one cell.
    public static func clusters(_ snapshot: ComplaintSnapshot, canvas: TileCanvas, filter: CompiledFilter,
                                cellPixels: Int, candidates: CandidatePositions? = nil) -> [PinMark] {
        let k = max(0, Int(log2(Double(max(1, cellPixels))).rounded(.up)))
        let unitsLog2 = min(32, max(0, 24 - canvas.tile.z + k))
        let shift = UInt64(2 * unitsLog2)
        struct Acc { var key: UInt64; var n = 0; var open = 0; var sx: UInt64 = 0; var sy: UInt64 = 0
            var category: UInt8 = 0; var mixed = false; var lastX: UInt32 = 0; var lastY: UInt32 = 0; var lastOpen = false }
        var cells: [Acc] = []
        var cur = Acc(key: .max)
        let b = canvas.fixedBox
        func add(_ a: inout Acc, _ r: CompactComplaint) {
            if a.n == 0 { a.category = r.category } else if a.category != r.category { a.mixed = true }
            a.n += 1
            let o = openMask & (1 << UInt32(r.status)) != 0
            if o { a.open += 1 }
            a.sx &+= UInt64(r.x); a.sy &+= UInt64(r.y)
            a.lastX = r.x; a.lastY = r.y; a.lastOpen = o
        }
        var tail: [CompactComplaint] = []
        snapshot.forEachRecord(inBoxX: b.x0, b.x1, y: b.y0, b.y1, filter: filter, candidates: candidates) { r in
            let key = shift >= 64 ? 0 : r.morton >> shift
            if key == cur.key { add(&cur, r); return }
            if cur.n > 0 {
                // Sorted records arrive in Morton order; the unsorted tail (recent inserts) comes after.
                if key < cur.key || cells.contains(where: { $0.key == key }) { tail.append(r); return }
                cells.append(cur)
            }
            cur = Acc(key: key)
            add(&cur, r)
        }
        if cur.n > 0 { cells.append(cur) }
        for r in tail {
            let key = shift >= 64 ? 0 : r.morton >> shift
            if let i = cells.firstIndex(where: { $0.key == key }) { add(&cells[i], r) } else {
                var a = Acc(key: key); add(&a, r); cells.append(a)
            }
        }
        return cells.map { a in
            if a.n == 1 {
                let p = canvas.point(fixedX: a.lastX, fixedY: a.lastY)
                return PinMark(x: p.x, y: p.y, kind: .pin(category: a.category, open: a.lastOpen))
            }
            let p = canvas.point(fixedX: UInt32(a.sx / UInt64(a.n)), fixedY: UInt32(a.sy / UInt64(a.n)))
            return PinMark(x: p.x, y: p.y, kind: .cluster(count: a.n, open: a.open, category: a.mixed ? nil : a.category))
        }
    }
}
