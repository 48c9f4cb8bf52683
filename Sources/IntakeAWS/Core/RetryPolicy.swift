/// Exponential backoff with full jitter: attempt n (1-based) waits a random time in
/// `[0, min(cap, base·2^(n−1))]`, unless the service named a delay (`Retry-After`).
public struct RetryPolicy: Sendable {
    /// Total attempts, the first included. 1 means no retry.
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration

    public init(maxAttempts: Int = 4, base: Duration = .milliseconds(100), cap: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// The ceiling of the random wait after failed attempt `attempt`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let capMilliseconds = cap.milliseconds
        let grown = base.milliseconds.multipliedReportingOverflow(by: 1 << exponent)
        return .milliseconds(grown.overflow ? capMilliseconds : min(capMilliseconds, grown.partialValue))
    }

    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter { return min(retryAfter, cap) }
        let ceiling = ceiling(afterAttempt: attempt).milliseconds
        return .milliseconds(ceiling <= 0 ? 0 : Int64.random(in: 0...ceiling))
    }
}
