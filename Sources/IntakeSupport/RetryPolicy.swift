/// How often and how long to retry: exponential backoff with full jitter. Failed attempt n
/// (1-based) waits a random time in `[0, min(cap, base · 2^(n−1))]`.
///
/// The one retry vocabulary of Intake: the consumers' per-handler policies (`retry:` in the
/// configuration decodes straight into it), the AWS client's own retries, and the backoff of
/// infrastructure loops (reconnects, receive failures) all use this type.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first included; 1 means no retry. After the last failure a message
    /// is dead-lettered and a request's error is thrown.
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration

    public init(maxAttempts: Int = 8, base: Duration = .seconds(1), cap: Duration = .seconds(900)) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
    }

    /// One attempt, no retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// A backoff for loops that retry until stopped (reconnecting, receiving): only `base` and
    /// `cap` matter.
    public static func backoff(base: Duration, cap: Duration) -> RetryPolicy {
        RetryPolicy(maxAttempts: .max, base: base, cap: cap)
    }

    /// The upper bound of the wait after failed attempt `attempt`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 62)
        // Compared as a ratio first: base · 2^62 overflows Duration long before it reaches cap.
        guard base > .zero else { return .zero }
        guard cap / base >= Double(UInt64(1) << exponent) else { return max(cap, .zero) }
        return base * (1 << exponent)
    }

    /// A random wait in `[0, ceiling]`, or what the other side asked for (`Retry-After`),
    /// at most `cap`.
    public func delay<R: RandomNumberGenerator>(
        afterAttempt attempt: Int, retryAfter: Duration? = nil, using generator: inout R
    ) -> Duration {
        if let retryAfter { return min(retryAfter, cap) }
        let ceiling = ceiling(afterAttempt: attempt)
        guard ceiling > .zero else { return .zero }
        // Whole milliseconds: what the waits are logged and stored in.
        let milliseconds = Int64(ceiling / .milliseconds(1))
        return .milliseconds(Int64.random(in: 0...milliseconds, using: &generator))
    }

    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, using: &generator)
    }

    /// Whether attempt `attempt` was the last one allowed.
    public func isExhausted(afterAttempt attempt: Int) -> Bool { attempt >= maxAttempts }
}
