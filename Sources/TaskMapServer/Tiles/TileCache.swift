import Foundation
import Hummingbird

/// Least-recently-used tiles, bounded by the bytes their buffers occupy (a ByteBuffer's storage is a power of two:
/// on average 1.4× the PNG, so the bound counts capacity, not PNG length). One lock; every operation is O(1) (a dictionary plus a
/// doubly linked list kept in arrays).
final class TileCache: @unchecked Sendable {
    struct Key: Hashable, Sendable {
        var layer: String
        var z: Int, x: Int, y: Int
        var retina: Bool
        var filter: String
        var metric: String?
    }

    struct Entry: Sendable {
        var png: ByteBuffer
        var etag: String
        /// Data version the tile is known to be current for.
        var version: UInt64
    }

    private struct Node {
        var key: Key
        var entry: Entry
        var prev: Int
        var next: Int
    }

    private let lock = NSLock()
    private let capacity: Int
    private var index: [Key: Int] = [:]
    private var nodes: [Node] = []
    private var free: [Int] = []
    private var head = -1  // most recent
    private var tail = -1  // least recent
    private(set) var bytes = 0

    init(capacityBytes: Int) { capacity = capacityBytes }

    var figures: (bytes: Int, entries: Int) { lock.withLock { (bytes, index.count) } }

    func get(_ key: Key) -> Entry? {
        lock.withLock {
            guard let i = index[key] else { return nil }
            moveToFront(i)
            return nodes[i].entry
        }
    }

    /// Marks an entry current for a newer version (the change log showed nothing under it).
    func revalidate(_ key: Key, version: UInt64) {
        lock.withLock { if let i = index[key], nodes[i].entry.version < version { nodes[i].entry.version = version } }
    }

    func put(_ key: Key, _ entry: Entry) {
        let size = entry.png.capacity
        guard size <= capacity / 4 else { return }
        lock.withLock {
            if let i = index[key] {
                bytes += size - nodes[i].entry.png.capacity
                nodes[i].entry = entry
                moveToFront(i)
            } else {
                let node = Node(key: key, entry: entry, prev: -1, next: head)
                let i: Int
                if let f = free.popLast() { nodes[f] = node; i = f } else { nodes.append(node); i = nodes.count - 1 }
                if head >= 0 { nodes[head].prev = i }
                head = i
                if tail < 0 { tail = i }
                index[key] = i
                bytes += size
            }
            while bytes > capacity, tail >= 0 { remove(tail) }
        }
    }

    func removeAll() {
        lock.withLock {
            index.removeAll(); nodes.removeAll(); free.removeAll(); head = -1; tail = -1; bytes = 0
        }
    }

    private func unlink(_ i: Int) {
        let p = nodes[i].prev, n = nodes[i].next
        if p >= 0 { nodes[p].next = n } else { head = n }
        if n >= 0 { nodes[n].prev = p } else { tail = p }
        nodes[i].prev = -1; nodes[i].next = -1
    }

    private func moveToFront(_ i: Int) {
        guard head != i else { return }
        unlink(i)
        nodes[i].next = head
        if head >= 0 { nodes[head].prev = i }
        head = i
        if tail < 0 { tail = i }
    }

    private func remove(_ i: Int) {
        unlink(i)
        bytes -= nodes[i].entry.png.capacity
        index.removeValue(forKey: nodes[i].key)
        nodes[i].entry.png = ByteBuffer()
        free.append(i)
    }
}
