import Foundation
import IntakeCore

/// What becomes of one SQS message once its handlers have run (or could not): a ``Verdict``
/// plus the outcomes only SQS has (acknowledged without a handler, released on shutdown).
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
    /// For `.retried` and `.deadLettered`: the failed attempt, as the decision recorded it.
    var failure: AttemptRecord?
    /// For `.retried`: the wait the handler asked for, else the retry policy's backoff.
    var retryDelay: Duration?

    static func acknowledged() -> SQSDisposition { SQSDisposition(kind: .acknowledged, handler: SQSMetrics.noHandler) }
    static func released(_ handler: String) -> SQSDisposition { SQSDisposition(kind: .released, handler: handler) }

    init(kind: Kind, handler: String, seconds: Double? = nil, failure: AttemptRecord? = nil, retryDelay: Duration? = nil) {
        self.kind = kind
        self.handler = handler
        self.seconds = seconds
        self.failure = failure
        self.retryDelay = retryDelay
    }

    init(_ verdict: Verdict, handler: String) {
        switch verdict {
        case .succeed: self.init(kind: .succeeded, handler: handler)
        case .retry(let wait, let record): self.init(kind: .retried, handler: handler, failure: record, retryDelay: wait)
        case .deadLetter(let record, _): self.init(kind: .deadLettered, handler: handler, failure: record)
        }
    }

    /// The failure to record; a bare one should a disposition lack it (never expected).
    func record(worker: String, attempt: Int, retryable: Bool) -> AttemptRecord {
        failure
            ?? AttemptRecord(
                at: Date(), attempt: attempt, worker: worker, handler: handler, errorClass: "HandlerFailure",
                message: "", retryable: retryable)
    }
}
