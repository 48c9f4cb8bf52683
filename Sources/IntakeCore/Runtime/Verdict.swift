import Foundation
import IntakePostgres
import IntakeSupport

/// What becomes of a message once its handler has run: the one place that decides retry or
/// dead letter, for every origin. Pure: no I/O, the clock and the jitter are given. The
/// drivers (table queues, SQS, the in-memory queue) only carry a verdict out.
public enum Verdict: Sendable {
    /// Done; `result` is stored on table rows.
    case succeed(result: PostgresJSON?)
    /// Try again after `after`; `record.retryIn` is the same wait.
    case retry(after: Duration, record: AttemptRecord)
    /// Write the dead letter with `record` as the last history entry.
    case deadLetter(record: AttemptRecord, result: PostgresJSON?)

    /// Who ran which attempt, on what: everything the history entry needs besides the outcome.
    public struct Attempt: Sendable {
        public var number: Int
        public var worker: String
        public var handler: String
        public var object: String?
        public var at: Date

        public init(number: Int, worker: String, handler: String, object: String? = nil, at: Date = Date()) {
            self.number = number
            self.worker = worker
            self.handler = handler
            self.object = object
            self.at = at
        }
    }

    /// Decides a handler's outcome. A retry the handler asked for waits what it asked
    /// (`Retry-After`), else the policy's jittered backoff; on the last allowed attempt it is
    /// a dead letter instead. `errorClass` names the thrown error's type, or `HandlerFailure`
    /// for an outcome the handler returned.
    public static func decide<R: RandomNumberGenerator>(
        _ outcome: HandlerOutcome, errorClass: String = "HandlerFailure", attempt: Attempt, policy: RetryPolicy,
        using generator: inout R
    ) -> Verdict {
        func record(_ message: String, retryable: Bool, retryIn: Duration? = nil) -> AttemptRecord {
            AttemptRecord(
                at: attempt.at, attempt: attempt.number, worker: attempt.worker, handler: attempt.handler,
                errorClass: errorClass, message: message, retryable: retryable, retryIn: retryIn, object: attempt.object)
        }
        switch outcome {
        case .success(let result):
            return .succeed(result: result)
        case .retry(let reason, let requested):
            if policy.isExhausted(afterAttempt: attempt.number) {
                return .deadLetter(record: record(reason, retryable: true), result: nil)
            }
            let wait = requested ?? policy.delay(afterAttempt: attempt.number, using: &generator)
            return .retry(after: wait, record: record(reason, retryable: true, retryIn: wait))
        case .permanentFailure(let reason, let result):
            return .deadLetter(record: record(reason, retryable: false), result: result)
        }
    }

    public static func decide(
        _ outcome: HandlerOutcome, errorClass: String = "HandlerFailure", attempt: Attempt, policy: RetryPolicy
    ) -> Verdict {
        var generator = SystemRandomNumberGenerator()
        return decide(outcome, errorClass: errorClass, attempt: attempt, policy: policy, using: &generator)
    }

    /// Before running: a message delivered more often than the policy allows has had every
    /// attempt, though none ended in a recorded failure (its worker died, or lost the lease or
    /// visibility each time). It is dead-lettered without running again; nil when it may run.
    public static func beforeRunning(attempt: Attempt, policy: RetryPolicy) -> Verdict? {
        guard attempt.number > policy.maxAttempts else { return nil }
        return .deadLetter(
            record: AttemptRecord(
                at: attempt.at, attempt: attempt.number, worker: attempt.worker, handler: attempt.handler,
                errorClass: "AttemptsExhausted",
                message: "attempt \(attempt.number) of at most \(policy.maxAttempts): earlier attempts did not finish "
                    + "(their worker stopped, or lost the lease or visibility)",
                retryable: false, object: attempt.object),
            result: nil)
    }

    /// The failure record, nil for a success.
    public var record: AttemptRecord? {
        switch self {
        case .succeed: nil
        case .retry(_, let record), .deadLetter(let record, _): record
        }
    }
}

extension HandlerOutcome {
    /// Runs a handler: an error it throws becomes the outcome it stands for, and its type name
    /// the error class of the attempt (`HandlerFailure` when the handler returned a failure).
    public static func catching(
        _ run: () async throws -> HandlerOutcome
    ) async -> (outcome: HandlerOutcome, errorClass: String) {
        do {
            return (try await run(), "HandlerFailure")
        } catch {
            return (HandlerOutcome(caught: error), ErrorClassification.className(error))
        }
    }

    /// How the runtime reads an error a handler threw: retryable errors (and unknown ones)
    /// retry, honouring a delay a ``RetryableError`` carries; the rest are permanent.
    public init(caught error: any Error) {
        let text = ErrorClassification.message(error)
        if ErrorClassification.isRetryable(error) {
            self = .retry(reason: text, delay: (error as? RetryableError)?.delay)
        } else {
            self = .permanentFailure(reason: text)
        }
    }
}
