import Foundation

/// Places mahalle names on a map the way Mapnik and QGIS do: each name has a few candidate positions inside its
/// polygon (the pole of inaccessibility first, then around it), names are taken in priority order (population,
/// then area), and a candidate is kept only if its box stays inside the frame and touches no placed name and no
/// reserved box (legend, scale bar, north arrow). Names that fit nowhere are left out and counted, instead of
/// overprinting each other into an unreadable block.
public enum LabelPlacer {
    /// A box in map pixels: [x0, x1) × [y0, y1).
    public struct Box: Sendable, Equatable, Codable {
        public var x0, y0, x1, y1: Double
        public init(x0: Double, y0: Double, x1: Double, y1: Double) { self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1 }
        public func intersects(_ o: Box) -> Bool { x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1 }
        public func inside(width: Double, height: Double) -> Bool { x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height }
    }

    public struct Candidate: Sendable {
        public var name: String
        /// Higher first.
        public var priority: (population: Int, area: Double)
        /// The polygon's rings in map pixels (first of each polygon outer, the rest holes).
        public var polygons: [[[(x: Double, y: Double)]]]
        /// The text's size in pixels, halo included.
        public var width: Double, height: Double
        /// The pole of inaccessibility in the same pixels, when the caller has it already (label tiles compute it
        /// once per mahalle and scale it to each zoom); nil: computed here at 1-pixel precision.
        public var pole: (x: Double, y: Double)?
        public init(name: String, population: Int, area: Double, polygons: [[[(x: Double, y: Double)]]], width: Double, height: Double,
                    pole: (x: Double, y: Double)? = nil) {
            self.name = name; self.priority = (population, area); self.polygons = polygons; self.width = width; self.height = height
            self.pole = pole
        }
    }

    public struct Placed: Sendable, Codable, Equatable {
        public var name: String
        public var box: Box
        /// Where the text's centre goes.
        public var x: Double, y: Double
        public init(name: String, box: Box, x: Double, y: Double) { self.name = name; self.box = box; self.x = x; self.y = y }
    }

    /// Greedy placement in priority order. `frame` is the map's size; `reserved` are boxes no name may touch.
    /// Returns the placed names with the index of their candidate.
    public static func place(_ candidates: [Candidate], frameWidth: Double, frameHeight: Double, reserved: [Box]) -> [Placed] {
        placeIndexed(candidates, frameWidth: frameWidth, frameHeight: frameHeight, reserved: reserved).map(\.placed)
    }

    /// `place`, each name with the index of the candidate it came from.
    public static func placeIndexed(_ candidates: [Candidate], frameWidth: Double, frameHeight: Double,
                                    reserved: [Box]) -> [(candidate: Int, placed: Placed)] {
        let order = candidates.indices.sorted {
            let a = candidates[$0].priority, b = candidates[$1].priority
            return a.population != b.population ? a.population > b.population : a.area > b.area
        }
        var placed: [(candidate: Int, placed: Placed)] = []
        var grid = BoxGrid(cell: 64)
        for i in order {
            let c = candidates[i]
            guard let pole = c.pole ?? poleOfInaccessibility(c.polygons, precision: 1) else { continue }
            // The pole, then shifted by half or a whole label height/width: still inside the polygon.
            let dy = c.height, dx = c.width / 2
            let offsets: [(Double, Double)] = [(0, 0), (0, -dy), (0, dy), (-dx, 0), (dx, 0), (0, -2 * dy), (0, 2 * dy),
                                               (-dx, -dy), (dx, -dy), (-dx, dy), (dx, dy)]
            for (ox, oy) in offsets {
                let x = pole.x + ox, y = pole.y + oy
                if (ox != 0 || oy != 0) && !contains(c.polygons, x, y) { continue }
                let box = Box(x0: x - c.width / 2, y0: y - c.height / 2, x1: x + c.width / 2, y1: y + c.height / 2)
                guard box.inside(width: frameWidth, height: frameHeight) else { continue }
                if reserved.contains(where: box.intersects) || grid.intersects(box) { continue }
                placed.append((i, Placed(name: c.name, box: box, x: x, y: y)))
                grid.insert(box)
                break
            }
        }
        return placed
    }

    /// A uniform grid of placed boxes, so each test looks at a few neighbours instead of every placed name.
    struct BoxGrid {
        let cell: Double
        var cells: [Int64: [Box]] = [:]
        init(cell: Double) { self.cell = cell }
        func keys(_ b: Box) -> [Int64] {
            var out: [Int64] = []
            for gx in Int(floor(b.x0 / cell))...Int(floor(b.x1 / cell)) {
                for gy in Int(floor(b.y0 / cell))...Int(floor(b.y1 / cell)) { out.append(Int64(gx) << 32 | Int64(UInt32(bitPattern: Int32(gy)))) }
            }
            return out
        }
        func intersects(_ b: Box) -> Bool { keys(b).contains { cells[$0]?.contains(where: b.intersects) ?? false } }
        mutating func insert(_ b: Box) { for k in keys(b) { cells[k, default: []].append(b) } }
    }

    // MARK: - Pole of inaccessibility (polylabel: the interior point farthest from the boundary)

    /// Cells over the polygon's box, refined best-first by the distance they could still reach; stops when no cell
    /// can beat the best found by more than `precision` pixels.
    public static func poleOfInaccessibility(_ polygons: [[[(x: Double, y: Double)]]], precision: Double) -> (x: Double, y: Double)? {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for poly in polygons { for p in poly.first ?? [] { minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y) } }
        guard minX < maxX, minY < maxY else { return nil }
        struct Cell { var x, y, h, d, max: Double }
        func cell(_ x: Double, _ y: Double, _ h: Double) -> Cell {
            let d = signedDistance(polygons, x, y)
            return Cell(x: x, y: y, h: h, d: d, max: d + h * 2.0.squareRoot())
        }
        let size = min(maxX - minX, maxY - minY)
        var h = size / 2
        var heap: [Cell] = []
        func push(_ c: Cell) {
            heap.append(c)
            var i = heap.count - 1
            while i > 0 { let p = (i - 1) / 2; if heap[p].max >= heap[i].max { break }; heap.swapAt(p, i); i = p }
        }
        func pop() -> Cell {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && heap[l].max > heap[m].max { m = l }
                    if r < heap.count && heap[r].max > heap[m].max { m = r }
                    if m == i { break }
                    heap.swapAt(i, m); i = m
                }
            }
            return top
        }
        if h == 0 { return nil }
        var x = minX
        while x < maxX {
            var y = minY
            while y < maxY { push(cell(x + h, y + h, h)); y += 2 * h }
            x += 2 * h
        }
        // The first guesses: the centroid of the largest ring and the box centre.
        var best = cell((minX + maxX) / 2, (minY + maxY) / 2, 0)
        if let c = centroid(polygons) { let cc = cell(c.x, c.y, 0); if cc.d > best.d { best = cc } }
        var steps = 0
        while !heap.isEmpty && steps < 20_000 {
            let c = pop()
            steps += 1
            if c.d > best.d { best = c }
            if c.max - best.d <= precision { continue }
            h = c.h / 2
            push(cell(c.x - h, c.y - h, h)); push(cell(c.x + h, c.y - h, h))
            push(cell(c.x - h, c.y + h, h)); push(cell(c.x + h, c.y + h, h))
        }
        return best.d > 0 ? (best.x, best.y) : nil
    }

    /// Distance to the nearest edge, positive inside (even-odd over all rings), negative outside.
    public static func signedDistance(_ polygons: [[[(x: Double, y: Double)]]], _ x: Double, _ y: Double) -> Double {
        var inside = false
        var best = Double.infinity
        for poly in polygons {
            for ring in poly where ring.count >= 2 {
                var j = ring.count - 1
                for i in 0..<ring.count {
                    let a = ring[i], b = ring[j]
                    if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                    best = min(best, segmentDistance(x, y, a, b))
                    j = i
                }
            }
        }
        return (inside ? 1 : -1) * best
    }

    public static func contains(_ polygons: [[[(x: Double, y: Double)]]], _ x: Double, _ y: Double) -> Bool { signedDistance(polygons, x, y) > 0 }

    static func segmentDistance(_ px: Double, _ py: Double, _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
        var x = a.x, y = a.y
        let dx = b.x - x, dy = b.y - y
        if dx != 0 || dy != 0 {
            let t = ((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy)
            if t > 1 { x = b.x; y = b.y } else if t > 0 { x += dx * t; y += dy * t }
        }
        return ((px - x) * (px - x) + (py - y) * (py - y)).squareRoot()
    }

    static func centroid(_ polygons: [[[(x: Double, y: Double)]]]) -> (x: Double, y: Double)? {
        guard let ring = polygons.compactMap(\.first).max(by: { abs(area($0)) < abs(area($1)) }) else { return nil }
        let a = area(ring)
        guard a != 0 else { return nil }
        var cx = 0.0, cy = 0.0
        var j = ring.count - 1
        for i in 0..<ring.count {
            let p = ring[j], q = ring[i]
            let f = p.x * q.y - q.x * p.y
            cx += (p.x + q.x) * f; cy += (p.y + q.y) * f
            j = i
        }
        return (cx / (6 * a), cy / (6 * a))
    }

    public static func area(_ ring: [(x: Double, y: Double)]) -> Double {
        var s = 0.0
        var j = ring.count - 1
        for i in 0..<ring.count { s += ring[j].x * ring[i].y - ring[i].x * ring[j].y; j = i }
        return s / 2
    }
}
