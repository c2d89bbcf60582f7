import GeoIndex

/// Keeps the `limit` newest records seen (created, then id, descending) in a min-heap, so that a query over a
/// million complaints neither collects nor sorts them all: O(n log limit) time, O(limit) memory.
struct NewestFirst {
    let limit: Int
    private(set) var seen = 0
    private var heap: [CompactComplaint] = []

    init(limit: Int) {
        self.limit = limit
        heap.reserveCapacity(min(limit, 65_536))
    }

    @inline(__always)
    private static func older(_ a: CompactComplaint, _ b: CompactComplaint) -> Bool {
        a.created != b.created ? a.created < b.created : a.id < b.id
    }

    mutating func add(_ r: CompactComplaint) {
        seen += 1
        guard limit > 0 else { return }
        if heap.count < limit {
            heap.append(r)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard Self.older(heap[i], heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        } else if Self.older(heap[0], r) {
            heap[0] = r
            var i = 0
            while true {
                let l = 2 * i + 1, rr = l + 1
                var m = i
                if l < heap.count && Self.older(heap[l], heap[m]) { m = l }
                if rr < heap.count && Self.older(heap[rr], heap[m]) { m = rr }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
    }

    /// The kept records, newest first.
    var records: [CompactComplaint] { heap.sorted { Self.older($1, $0) } }
}
