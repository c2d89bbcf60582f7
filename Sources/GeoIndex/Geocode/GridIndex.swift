import Foundation

/// A static uniform-grid index over bounding boxes (CSR layout: one offsets array, one item array).
/// The candidate search of the reverse geocoder: cheap to build, allocation-free to query, and for polygons of
/// similar size as selective as an R-tree.
struct GridIndex: Sendable {
    let bounds: BoundingBox
    let nx: Int, ny: Int
    let cellW: Double, cellH: Double
    private let offsets: [Int32]
    private let items: [Int32]
    let boxes: [BoundingBox]

    /// `targetPerCell`: about how many boxes should share a cell.
    init(boxes: [BoundingBox], targetPerCell: Double = 2) {
        self.boxes = boxes
        var b = BoundingBox.empty
        for x in boxes { b.extend(x) }
        if b.isEmpty { b = BoundingBox(minLon: 0, minLat: 0, maxLon: 1, maxLat: 1) }
        let w = max(b.maxLon - b.minLon, 1e-9), h = max(b.maxLat - b.minLat, 1e-9)
        let cells = max(1.0, Double(boxes.count) / targetPerCell)
        let aspect = w / h
        let nx = max(1, min(4096, Int((cells * aspect).squareRoot().rounded(.up))))
        let ny = max(1, min(4096, Int((cells / aspect).squareRoot().rounded(.up))))
        self.bounds = b; self.nx = nx; self.ny = ny
        self.cellW = w / Double(nx); self.cellH = h / Double(ny)
        var counts = [Int32](repeating: 0, count: nx * ny + 1)
        func range(_ bb: BoundingBox) -> (Int, Int, Int, Int) {
            let x0 = max(0, min(nx - 1, Int((bb.minLon - b.minLon) / (w / Double(nx)))))
            let x1 = max(0, min(nx - 1, Int((bb.maxLon - b.minLon) / (w / Double(nx)))))
            let y0 = max(0, min(ny - 1, Int((bb.minLat - b.minLat) / (h / Double(ny)))))
            let y1 = max(0, min(ny - 1, Int((bb.maxLat - b.minLat) / (h / Double(ny)))))
            return (x0, x1, y0, y1)
        }
        for bb in boxes where !bb.isEmpty {
            let (x0, x1, y0, y1) = range(bb)
            for y in y0...y1 { for x in x0...x1 { counts[y * nx + x + 1] += 1 } }
        }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts.last!))
        for (i, bb) in boxes.enumerated() where !bb.isEmpty {
            let (x0, x1, y0, y1) = range(bb)
            for y in y0...y1 {
                for x in x0...x1 {
                    let c = y * nx + x
                    items[Int(fill[c])] = Int32(i)
                    fill[c] += 1
                }
            }
        }
        self.offsets = counts
        self.items = items
    }

    /// Visits the indices of boxes that may contain `p` (exact bbox test included).
    @inline(__always)
    func candidates(at p: LonLat, _ body: (Int) -> Bool) {
        guard bounds.contains(p) else { return }
        let x = min(nx - 1, Int((p.lon - bounds.minLon) / cellW))
        let y = min(ny - 1, Int((p.lat - bounds.minLat) / cellH))
        let c = y * nx + x
        for k in Int(offsets[c])..<Int(offsets[c + 1]) {
            let i = Int(items[k])
            if boxes[i].contains(p) { if !body(i) { return } }
        }
    }

    /// Visits (possibly repeated) indices of boxes intersecting `q`.
    func candidates(in q: BoundingBox, _ body: (Int) -> Void) {
        guard q.intersects(bounds) else { return }
        let x0 = max(0, min(nx - 1, Int((q.minLon - bounds.minLon) / cellW)))
        let x1 = max(0, min(nx - 1, Int((q.maxLon - bounds.minLon) / cellW)))
        let y0 = max(0, min(ny - 1, Int((q.minLat - bounds.minLat) / cellH)))
        let y1 = max(0, min(ny - 1, Int((q.maxLat - bounds.minLat) / cellH)))
        for y in y0...y1 {
            for x in x0...x1 {
                let c = y * nx + x
                for k in Int(offsets[c])..<Int(offsets[c + 1]) {
                    let i = Int(items[k])
                    if boxes[i].intersects(q) { body(i) }
                }
            }
        }
    }
}
