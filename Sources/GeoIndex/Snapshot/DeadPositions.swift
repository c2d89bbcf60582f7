/// Positions of a snapshot's `sorted` records that a newer version replaced (the newer one is in `tail`).
/// A work-flow change marks the old record here instead of removing it, so publishing the change copies this
/// bitset (one bit a complaint: 125 KB for a million) instead of the 32-byte records (32 MB), and positions do
/// not move, so the category × month index stays valid. Every reader of `sorted` skips marked positions; the
/// next merge of the tail drops them.
public struct DeadPositions: Sendable, Equatable {
    private var words: [UInt64] = []
    /// Positions marked.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    public func contains(_ position: Int) -> Bool {
        let w = position >> 6
        return w < words.count && words[w] & (1 << UInt64(position & 63)) != 0
    }

    /// Marks `position` of a `sorted` of `capacity` records.
    mutating func insert(_ position: Int, capacity: Int) {
        if words.isEmpty { words = [UInt64](repeating: 0, count: (capacity + 63) >> 6) }
        let w = position >> 6, bit: UInt64 = 1 << UInt64(position & 63)
        if words[w] & bit == 0 {
            words[w] |= bit
            count += 1
        }
    }
}
