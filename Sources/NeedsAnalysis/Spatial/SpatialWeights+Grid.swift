import Foundation

extension SpatialWeights {
    /// Queen contiguity on a regular grid: each cell's neighbours are the occupied cells among its eight
    /// surrounding ones. `cells` are (row, column) pairs, one unit each, in the order given.
    public static func gridQueen(_ cells: [(row: Int, column: Int)]) -> SpatialWeights {
        var index: [Int64: Int] = [:]
        index.reserveCapacity(cells.count)
        @inline(__always) func key(_ r: Int, _ c: Int) -> Int64 { Int64(r) << 32 | Int64(UInt32(truncatingIfNeeded: c)) }
        for (i, c) in cells.enumerated() { index[key(c.row, c.column)] = i }
        var neighbours = [[Int]](repeating: [], count: cells.count)
        for (i, c) in cells.enumerated() {
            for dr in -1...1 {
                for dc in -1...1 where dr != 0 || dc != 0 {
                    if let j = index[key(c.row + dr, c.column + dc)] { neighbours[i].append(j) }
                }
            }
            neighbours[i].sort()
        }
        return SpatialWeights(neighbours: neighbours)
    }
}
