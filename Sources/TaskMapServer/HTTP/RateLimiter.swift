import Foundation
import GeoIndex
import HTTPTypes
import Hummingbird

/// Per-key token buckets for writes (`POST /api/complaints`, `PATCH /api/complaints/{id}`, Open311 POST
/// `requests.json|xml`). Each API key has a bucket of `burst` tokens that refills at `perMinute / 60` tokens a
/// second; a write takes one token, and an empty bucket answers 429 with `Retry-After` (whole seconds until a token
/// is back). Checked right after the key is authenticated, so only known keys get a bucket: memory is bounded by
/// the number of keys, and buckets that have refilled completely are dropped when there are more than
/// `pruneThreshold` of them (at most once per refill time). Thread-safe (one lock; a check is a dictionary lookup and a few float operations).
public final class RateLimiter: @unchecked Sendable {
    /// Seconds on a monotonic clock (injectable so that tests need no sleeps).
    public typealias Clock = @Sendable () -> Double

    public static let monotonic: Clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public enum Decision: Equatable, Sendable {
        case allowed
        /// Refused; a token is back after this many whole seconds (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket { var tokens: Double; var updated: Double }

    public let perMinute: Int
    public let burst: Int
    private let now: Clock
    private let lock = NSLock()
    private var buckets: [Int64: Bucket] = [:]
    private var lastPrune = -Double.infinity
    static let pruneThreshold = 1024

    /// `perMinute` ≥ 1 tokens a minute, at most `burst` ≥ 1 at once.
    public init(perMinute: Int, burst: Int, clock: @escaping Clock = RateLimiter.monotonic) {
        precondition(perMinute >= 1 && burst >= 1, "rate limit and burst must be positive")
        self.perMinute = perMinute
        self.burst = burst
        now = clock
    }

    /// The limiter a configuration asks for; nil when writes are not limited (`writeRateLimitPerMinute` 0).
    public convenience init?(_ config: ServerConfiguration, clock: @escaping Clock = RateLimiter.monotonic) {
        guard config.writeRateLimitPerMinute > 0 else { return nil }
        self.init(perMinute: config.writeRateLimitPerMinute, burst: max(1, config.writeRateLimitBurst), clock: clock)
    }

    /// Takes one token from `key`'s bucket if there is one.
    public func take(_ key: Int64) -> Decision {
        let t = now()
        return lock.withLock {
            var b = buckets[key] ?? Bucket(tokens: Double(burst), updated: t)
            b.tokens = min(Double(burst), b.tokens + max(0, t - b.updated) * Double(perMinute) / 60)
            b.updated = t
            let decision: Decision
            if b.tokens >= 1 {
                b.tokens -= 1
                decision = .allowed
            } else {
                let wait = (1 - b.tokens) * 60 / Double(perMinute)
                decision = .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
            }
            buckets[key] = b
            // At most once per refill time (burst × 60 / perMinute s), so a prune is O(buckets) now and then, not per request.
            if buckets.count > Self.pruneThreshold, t - lastPrune >= Double(burst) * 60 / Double(perMinute) {
                lastPrune = t
                prune(at: t)
            }
            return decision
        }
    }

    /// Buckets currently held (for tests: memory stays bounded).
    var bucketCount: Int { lock.withLock { buckets.count } }

    /// Drops buckets that are full again: forgetting them changes nothing. Called with the lock held.
    private func prune(at t: Double) {
        let full = Double(burst)
        buckets = buckets.filter { $0.value.tokens + max(0, t - $0.value.updated) * Double(perMinute) / 60 < full }
    }
}

extension RateLimiter {
    /// Takes a token for an authenticated write or throws 429 with `Retry-After` (the error middleware writes the
    /// JSON body, or the Open311 error format on Open311 routes). Counted in `taskmap_rate_limited_total`.
    func admit(_ key: APIKey, metrics: ServerMetrics) throws {
        guard case .limited(let seconds) = take(key.id) else { return }
        metrics.rateLimited()
        throw APIError(.tooManyRequests,
                       "rate limit exceeded: \(perMinute) writes a minute per API key (bursts of \(burst)); retry in \(seconds) s",
                       headers: [.retryAfter: String(seconds)])
    }
}
