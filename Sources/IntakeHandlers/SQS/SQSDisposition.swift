/// What becomes of one SQS message once its handlers have run (or could not).
struct SQSDisposition: Sendable {
    enum Kind: String, Sendable {
        /// Every routed object's handler succeeded: delete.
        case succeeded
        /// Nothing to do (test event, no route, not an ObjectCreated event): delete.
        case acknowledged
        /// Put back with a visibility of the backoff for its receive count.
        case retried
        /// Written to `intake.dead_letters`, then deleted.
        case deadLettered = "dead_lettered"
        /// Not worked on (shutdown): visible again at once, no attempt counted against it.
        case released
    }

    var kind: Kind
    /// The handler the outcome is counted under (the failing one for a failure).
    var handler: String
    /// Time spent in handlers; nil when none ran.
    var seconds: Double?
    /// For `.retried` and `.deadLettered`.
    var failure: SQSFailure?
    /// For `.retried`: the wait the handler asked for, else the retry policy's backoff.
    var retryDelay: Duration?

    static func acknowledged() -> SQSDisposition { SQSDisposition(kind: .acknowledged, handler: SQSMetrics.noHandler) }
    static func released(_ handler: String) -> SQSDisposition { SQSDisposition(kind: .released, handler: handler) }

    static func deadLettered(_ handler: String, _ failure: SQSFailure, seconds: Double? = nil) -> SQSDisposition {
        SQSDisposition(kind: .deadLettered, handler: handler, seconds: seconds, failure: failure)
    }
}
