/// Attempts and backoff for one handler, resolved from `retry:` and its per-handler override.
public struct RetryParameters: Sendable, Equatable {
    /// Total attempts including the first; after the last failure the message is dead-lettered.
    public var maxAttempts: Int
    /// Backoff base: the delay after attempt n is about `base * 2^(n-1)`, jittered, at most `cap`.
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(maxAttempts: Int = 8, baseSeconds: Double = 1, capSeconds: Double = 900) {
        self.maxAttempts = maxAttempts
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }
}

/// `retry.handlers.NAME:` — any of the three keys; the rest come from `retry:`.
public struct RetryOverride: Sendable, Equatable {
    public var maxAttempts: Int?
    public var baseSeconds: Double?
    public var capSeconds: Double?

    public init(maxAttempts: Int? = nil, baseSeconds: Double? = nil, capSeconds: Double? = nil) {
        self.maxAttempts = maxAttempts
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }
}

/// `retry:` — defaults for every handler plus per-handler overrides.
public struct RetrySettings: Sendable, Equatable {
    public var defaults: RetryParameters
    public var handlers: [String: RetryOverride]

    public init(defaults: RetryParameters = RetryParameters(), handlers: [String: RetryOverride] = [:]) {
        self.defaults = defaults
        self.handlers = handlers
    }

    public var maxAttempts: Int { self.defaults.maxAttempts }
    public var baseSeconds: Double { self.defaults.baseSeconds }
    public var capSeconds: Double { self.defaults.capSeconds }

    /// The parameters for `handler`: its override where it sets a key, the defaults elsewhere.
    public func forHandler(_ handler: String) -> RetryParameters {
        guard let override = self.handlers[handler] else { return self.defaults }
        return RetryParameters(
            maxAttempts: override.maxAttempts ?? self.defaults.maxAttempts,
            baseSeconds: override.baseSeconds ?? self.defaults.baseSeconds,
            capSeconds: override.capSeconds ?? self.defaults.capSeconds
        )
    }
}
