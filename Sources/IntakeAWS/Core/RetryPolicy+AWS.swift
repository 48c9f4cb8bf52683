import IntakeSupport

extension RetryPolicy {
    /// The AWS client's own retries of throttling, 5xx and transport errors: a few quick
    /// attempts, since the consumer around it retries the whole message with its own policy.
    public static let awsDefault = RetryPolicy(maxAttempts: 4, base: .milliseconds(100), cap: .seconds(10))
}
