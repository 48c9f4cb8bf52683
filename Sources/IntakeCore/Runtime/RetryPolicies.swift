import IntakeSupport

/// `retry:` in the configuration: the default policy and per-handler overrides, resolved by
/// handler name. An override's missing keys were filled from the defaults when the
/// configuration was decoded, so every entry is a complete ``RetryPolicy``.
public struct RetryPolicies: Sendable, Equatable {
    public var defaultPolicy: RetryPolicy
    /// By handler name (`retry.handlers.NAME`).
    public var handlers: [String: RetryPolicy]

    public init(defaultPolicy: RetryPolicy = RetryPolicy(), handlers: [String: RetryPolicy] = [:]) {
        self.defaultPolicy = defaultPolicy
        self.handlers = handlers
    }

    public func policy(for handler: String) -> RetryPolicy { handlers[handler] ?? defaultPolicy }
}
