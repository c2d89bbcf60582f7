import Foundation
import GeoIndex

/// Complaints counted per cell of a canvas grid (tile + buffer): the first stage of the heat pipeline.
/// A cell is `cellPixels` × `cellPixels` tile pixels (1 = per pixel); cell (0, 0) starts `margin` cells north-west
/// of the tile, where `margin` = kernel radius in cells + 1.
public struct CountGrid: Sendable, Equatable {
    /// Cells a side.
    public let width: Int
    /// Cells of buffer on each side of the tile.
    public let margin: Int
    public let cellPixels: Int
    /// width² counts, row-major.
    public var counts: [Float]
    /// Indices of the non-zero cells.
    public var occupied: [Int32]
    /// Complaints counted.
    public var total: Int

    public init(width: Int, margin: Int, cellPixels: Int) {
        self.width = width; self.margin = margin; self.cellPixels = cellPixels
        counts = [Float](repeating: 0, count: width * width)
        occupied = []
        total = 0
    }

    /// Adds a complaint at cell (x, y); outside the grid it is ignored.
    @inline(__always)
    public mutating func add(x: Int, y: Int, weight: Float = 1) {
        guard x >= 0, y >= 0, x < width, y < width else { return }
        let i = y * width + x
        if counts[i] == 0 { occupied.append(Int32(i)) }
        counts[i] += weight
        total += 1
    }
}

/// Kernel density per cell over the tile plus one cell of margin (for interpolation at the tile edge): the
/// numbers a heat tile shows. A lone complaint peaks at 1.
public struct DensityGrid: Sendable, Equatable {
    /// Cells a side: tile cells + 2.
    public let width: Int
    public let cellPixels: Int
    public var values: [Float]
    public var maximum: Float { values.max() ?? 0 }
}

public enum HeatAggregate {
    /// The canvas a heat tile needs: buffer = (kernel radius in cells + 1) cells, in pixels.
    public static func canvas(tile: TileCoord, size: Int, kernel: HeatKernel, cellPixels: Int) -> TileCanvas {
        TileCanvas(tile: tile, size: size, buffer: (kernel.radius + 1) * cellPixels)
    }

    /// Counts complaints passing `filter` (and in one mahalle, if given) in cells of `cellPixels` on `canvas`,
    /// whose buffer must be a multiple of `cellPixels` (see `canvas(tile:…)`).
    /// `candidates`, when given, are the filter's `snapshot.candidates(for:)` (read instead of whole ranges when fewer).
    public static func counts(_ snapshot: ComplaintSnapshot, canvas: TileCanvas, cellPixels f: Int, filter: CompiledFilter,
                              mahalleIndex: UInt16? = nil, candidates: CandidatePositions? = nil) -> CountGrid {
        precondition(canvas.buffer % f == 0 && canvas.size % f == 0)
        let w = canvas.width / f
        var grid = CountGrid(width: w, margin: canvas.buffer / f, cellPixels: f)
        let b = canvas.fixedBox
        let all = filter.isAll
        let m = mahalleIndex
        // Fixed point → cell: one shift (cells are aligned powers of two of the world).
        let cellShift = canvas.shift + UInt32(f.trailingZeroBitCount)
        let ox = canvas.originX / f, oy = canvas.originY / f
        var occupied: [Int32] = []
        var total = 0
        grid.counts.withUnsafeMutableBufferPointer { counts in
            @inline(__always) func visit(_ r: CompactComplaint) {
                if r.x < b.x0 || r.x > b.x1 || r.y < b.y0 || r.y > b.y1 { return }
                if let m, r.mahalle != m { return }
                if !all && !filter.matches(r) { return }
                let cx = Int(r.x >> cellShift) - ox, cy = Int(r.y >> cellShift) - oy
                guard cx >= 0, cy >= 0, cx < w, cy < w else { return }
                let i = cy * w + cx
                if counts[i] == 0 { occupied.append(Int32(i)) }
                counts[i] += 1
                total += 1
            }
            let ranges = snapshot.sortedRanges(inBoxX: b.x0, b.x1, y: b.y0, b.y1)
            snapshot.sorted.withUnsafeBufferPointer { buf in
                snapshot.forEachPosition(in: ranges, candidates: candidates) { visit(buf[$0]) }
            }
            for r in snapshot.tail { visit(r) }
        }
        grid.occupied = occupied
        grid.total = total
        return grid
    }

    /// The same counts from a filter's sorted Morton keys (`HeatScaleEstimator.filteredKeys`: the complaints passing
    /// the filter, tail and dead records already accounted for). A tile reads 8 contiguous bytes per complaint
    /// instead of a 32-byte record picked out of the whole snapshot (which missed the cache on every visit when a
    /// filter kept one month in twelve).
    public static func counts(keys: [UInt64], canvas: TileCanvas, cellPixels f: Int) -> CountGrid {
        precondition(canvas.buffer % f == 0 && canvas.size % f == 0)
        let w = canvas.width / f
        var grid = CountGrid(width: w, margin: canvas.buffer / f, cellPixels: f)
        let b = canvas.fixedBox
        let cellShift = canvas.shift + UInt32(f.trailingZeroBitCount)
        let ox = canvas.originX / f, oy = canvas.originY / f
        var occupied: [Int32] = []
        var total = 0
        grid.counts.withUnsafeMutableBufferPointer { counts in
            keys.withUnsafeBufferPointer { k in
                for range in ComplaintSnapshot.keyRanges(k, inBoxX: b.x0, b.x1, y: b.y0, b.y1) {
                    for i in range {
                        let (x, y) = Morton.deinterleave(k[i])
                        if x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1 { continue }
                        let cx = Int(x >> cellShift) - ox, cy = Int(y >> cellShift) - oy
                        guard cx >= 0, cy >= 0, cx < w, cy < w else { continue }
                        let c = cy * w + cx
                        if counts[c] == 0 { occupied.append(Int32(c)) }
                        counts[c] += 1
                        total += 1
                    }
                }
            }
        }
        grid.occupied = occupied
        grid.total = total
        return grid
    }

    /// Blurs counts with the kernel (radius in cells) over the tile plus one margin cell. Sparse grids are stamped
    /// cell by cell; dense ones take two separable passes (cost ∝ cells · (2r + 1) instead of occupied · (2r + 1)²),
    /// skipping empty rows.
    public static func density(_ grid: CountGrid, kernel: HeatKernel) -> DensityGrid {
        precondition(grid.margin == kernel.radius + 1, "the count grid's margin must be the kernel radius + 1 cells")
        let n = grid.width - 2 * kernel.radius  // output cells: tile + 2
        let d = 2 * kernel.radius + 1
        let stampCost = grid.occupied.count * d * d
        let separableCost = grid.width * n * d + n * n * d
        let values = stampCost <= separableCost ? stamped(grid, kernel: kernel, n: n) : separable(grid, kernel: kernel, n: n)
        return DensityGrid(width: n, cellPixels: grid.cellPixels, values: values)
    }

    static func stamped(_ grid: CountGrid, kernel: HeatKernel, n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n * n)
        let r = kernel.radius, d = 2 * r + 1, w = grid.width
        out.withUnsafeMutableBufferPointer { o in
            kernel.stamp.withUnsafeBufferPointer { s in
                grid.counts.withUnsafeBufferPointer { c in
                    for cell in grid.occupied {
                        let ci = Int(cell)
                        let k = c[ci]
                        // Output cell j covers count cell j + r.
                        let cx = ci % w - r, cy = ci / w - r
                        let y0 = max(0, cy - r), y1 = min(n - 1, cy + r)
                        let x0 = max(0, cx - r), x1 = min(n - 1, cx + r)
                        if y0 > y1 || x0 > x1 { continue }
                        for y in y0...y1 {
                            let srow = (y - cy + r) * d - cx + r
                            let orow = y * n
                            for x in x0...x1 { o[orow + x] += k * s[srow + x] }
                        }
                    }
                }
            }
        }
        return out
    }

    static func separable(_ grid: CountGrid, kernel: HeatKernel, n: Int) -> [Float] {
        let r = kernel.radius, w = grid.width
        var rowUsed = [Bool](repeating: false, count: w)
        for cell in grid.occupied { rowUsed[Int(cell) / w] = true }
        // Horizontal pass: every grid row, the output columns only.
        var h = [Float](repeating: 0, count: w * n)
        h.withUnsafeMutableBufferPointer { hp in
            grid.counts.withUnsafeBufferPointer { c in
                kernel.weights.withUnsafeBufferPointer { k in
                    for y in 0..<w where rowUsed[y] {
                        let hrow = hp.baseAddress! + y * n
                        for t in 0...(2 * r) {
                            let kw = k[t]
                            let src = c.baseAddress! + y * w + t
                            for x in 0..<n { hrow[x] += kw * src[x] }
                        }
                    }
                }
            }
        }
        // Vertical pass.
        var out = [Float](repeating: 0, count: n * n)
        out.withUnsafeMutableBufferPointer { o in
            h.withUnsafeBufferPointer { hp in
                kernel.weights.withUnsafeBufferPointer { k in
                    for y in 0..<n {
                        let orow = o.baseAddress! + y * n
                        for t in 0...(2 * r) where rowUsed[y + t] {
                            let kw = k[t]
                            let src = hp.baseAddress! + (y + t) * n
                            for x in 0..<n { orow[x] += kw * src[x] }
                        }
                    }
                }
            }
        }
        return out
    }
}
