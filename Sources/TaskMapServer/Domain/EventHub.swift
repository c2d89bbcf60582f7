import Foundation

/// Fans new and changed complaints out to Server-Sent Events clients. Keeps the last few events so that a
/// client reconnecting with `Last-Event-ID` misses nothing. (On SIGTERM each SSE response ends itself through
/// its graceful-shutdown handler; `close()` ends every stream at once.)
final class EventHub: @unchecked Sendable {
    struct Event: Sendable {
        var id: UInt64
        /// `created` or `updated`.
        var kind: String
        /// Department responsible, for `?department=` (Turkish-folded match).
        var departmentKey: String?
        /// The JSON of the public complaint (no personal fields).
        var json: String
    }

    private struct Subscriber {
        var departmentKey: String?
        var continuation: AsyncStream<Event>.Continuation
    }

    private let lock = NSLock()
    private var nextID: UInt64 = 1
    private var recent: [Event] = []
    private let replayCount: Int
    private var subscribers: [UUID: Subscriber] = [:]
    private var closed = false

    init(replayCount: Int) { self.replayCount = replayCount }

    var clientCount: Int { lock.withLock { subscribers.count } }

    func publish(kind: String, departmentKey: String?, json: String) {
        lock.withLock {
            let e = Event(id: nextID, kind: kind, departmentKey: departmentKey, json: json)
            nextID += 1
            recent.append(e)
            if recent.count > replayCount { recent.removeFirst(recent.count - replayCount) }
            for s in subscribers.values where s.departmentKey == nil || s.departmentKey == departmentKey {
                s.continuation.yield(e)
            }
        }
    }

    /// A stream of events after `lastEventID` (replayed from memory when still kept) and then live ones.
    func subscribe(departmentKey: String?, lastEventID: UInt64?) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1_024))
        let token = UUID()
        lock.withLock {
            if closed { continuation.finish(); return }
            if let lastEventID {
                for e in recent where e.id > lastEventID && (departmentKey == nil || e.departmentKey == departmentKey) {
                    continuation.yield(e)
                }
            }
            subscribers[token] = Subscriber(departmentKey: departmentKey, continuation: continuation)
        }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: token) }
        }
        return stream
    }

    /// Ends every stream and refuses new ones.
    func close() {
        let all: [Subscriber] = lock.withLock {
            closed = true
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for s in all { s.continuation.finish() }
    }
}
