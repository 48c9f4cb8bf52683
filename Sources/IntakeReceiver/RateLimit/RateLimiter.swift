import IntakeCore
import Synchronization

/// Whether one more request fits in its bucket's current window.
public enum RateDecision: Sendable, Equatable {
    case allowed
    /// Over the limit; the window ends in this many seconds (at least 1): the `Retry-After`.
    case limited(retryAfterSeconds: Int)
}

/// Counts requests per bucket in fixed windows of `per_seconds`.
public protocol RateLimiter: Sendable {
    func admit(bucket: String, limit: RateLimitSettings) async throws -> RateDecision
}

/// Counts in this process only: for `ip` and `source` limits, which protect one replica.
/// Windows are aligned to multiples of `per_seconds` since the epoch.
public final class LocalRateLimiter: RateLimiter {
    private struct Window {
        var start: Int64
        var count: Int
    }

    private let clock: UnixClock
    private let windows = Mutex<[String: Window]>([:])
    private static let maxBuckets = 100_000

    public init(clock: UnixClock = .system) { self.clock = clock }

    public func admit(bucket: String, limit: RateLimitSettings) async throws -> RateDecision {
        let now = clock.now
        let period = Int64(limit.perSeconds)
        let start = now - now % period
        return windows.withLock { windows in
            if windows.count >= Self.maxBuckets {
                // Many distinct clients (IP limits): forget windows that have ended.
                windows = windows.filter { $0.value.start == start }
            }
            var window = windows[bucket] ?? Window(start: start, count: 0)
            if window.start != start { window = Window(start: start, count: 0) }
            window.count += 1
            windows[bucket] = window
            if window.count <= limit.requests { return .allowed }
            return .limited(retryAfterSeconds: Int(max(1, start + period - now)))
        }
    }
}
