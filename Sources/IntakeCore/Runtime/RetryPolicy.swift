/// Exponential backoff with full jitter: attempt n waits a random time in
/// `[0, min(cap, base · 2^(n−1))]` (SPEC §4).
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(maxAttempts: Int = 8, baseSeconds: Double = 1, capSeconds: Double = 900) {
        self.maxAttempts = maxAttempts
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    /// The upper bound of the wait after attempt `attempt` (1-based).
    public func ceiling(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        return min(capSeconds, baseSeconds * pow2(exponent))
    }

    public func delay<R: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout R) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt)
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int64(Double.random(in: 0...ceiling, using: &generator) * 1000))
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// Whether attempt `attempt` was the last one allowed.
    public func isExhausted(afterAttempt attempt: Int) -> Bool { attempt >= maxAttempts }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            value *= 2
            remaining -= 1
        }
        return value
    }
}

/// The default policy and per-handler overrides, resolved by handler name.
public struct RetryPolicies: Sendable {
    public var defaultPolicy: RetryPolicy
    public var overrides: [String: RetryPolicy]

    public init(defaultPolicy: RetryPolicy = RetryPolicy(), overrides: [String: RetryPolicy] = [:]) {
        self.defaultPolicy = defaultPolicy
        self.overrides = overrides
    }

    public func policy(for handler: String) -> RetryPolicy { overrides[handler] ?? defaultPolicy }
}
