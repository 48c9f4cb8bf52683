import Foundation

/// One failed attempt, the same for every origin: an element of an `errors` history (table
/// rows, `intake.sqs_failures`) and of a dead letter's `errors`.
public struct AttemptRecord: Sendable, Equatable {
    public var at: Date
    /// 1-based; for SQS the receive count.
    public var attempt: Int
    public var worker: String
    public var handler: String
    /// The error's type name (`PostgresError`, `AWSError`, `AttemptsExhausted`, …).
    public var errorClass: String
    public var message: String
    public var retryable: Bool
    /// The wait before the next attempt; nil when the message was dead-lettered.
    public var retryIn: Duration?
    /// What the handler worked on when that is not the message itself (`s3://bucket/key`).
    public var object: String?

    public init(
        at: Date, attempt: Int, worker: String, handler: String, errorClass: String, message: String,
        retryable: Bool, retryIn: Duration? = nil, object: String? = nil
    ) {
        self.at = at
        self.attempt = attempt
        self.worker = worker
        self.handler = handler
        self.errorClass = errorClass
        self.message = message
        self.retryable = retryable
        self.retryIn = retryIn
        self.object = object
    }

    /// As stored: one JSON object, storable whatever the message quotes. Keys: `at`, `attempt`,
    /// `worker`, `handler`, `class` (`retryable`/`permanent`), `error`, `message`, and when set
    /// `retry_in_ms` and `object` (docs/ARCHITECTURE.md, "Dead letters").
    public var json: String { FailureHistory.entry(self) }
}
