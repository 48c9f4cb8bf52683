import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport
import Testing

@Suite("Runtime: the retry decision")
struct VerdictTests {
    let policy = RetryPolicy(maxAttempts: 3, base: .seconds(2), cap: .seconds(5))
    let at = Date(timeIntervalSince1970: 1_700_000_000)

    func attempt(_ number: Int) -> Verdict.Attempt {
        Verdict.Attempt(number: number, worker: "w1", handler: "test.handler", object: "s3://b/k", at: at)
    }

    @Test func successSucceeds() {
        guard case .succeed(let result) = Verdict.decide(.success, attempt: attempt(1), policy: policy) else {
            Issue.record("success was not a success")
            return
        }
        #expect(result == nil)
    }

    @Test func retryBeforeTheLastAttemptWaitsTheJitteredBackoff() throws {
        var waits: Set<Duration> = []
        for _ in 0..<200 {
            let verdict = Verdict.decide(
                .retry(reason: "timeout"), errorClass: "AWSError", attempt: attempt(2), policy: policy)
            guard case .retry(let wait, let record) = verdict else {
                Issue.record("expected a retry, got \(verdict)")
                return
            }
            // Attempt 2: ceiling min(5 s, 2 s · 2) = 4 s, full jitter below it.
            #expect(wait >= .zero && wait <= .seconds(4))
            #expect(
                record
                    == AttemptRecord(
                        at: at, attempt: 2, worker: "w1", handler: "test.handler", errorClass: "AWSError",
                        message: "timeout", retryable: true, retryIn: wait, object: "s3://b/k"))
            waits.insert(wait)
        }
        #expect(waits.count > 100, "the wait is jittered")
        #expect(policy.ceiling(afterAttempt: 2) == .seconds(4))
        #expect(policy.ceiling(afterAttempt: 3) == .seconds(5))
    }

    @Test func aRequestedDelayWins() {
        let verdict = Verdict.decide(.retry(reason: "429", delay: .seconds(30)), attempt: attempt(1), policy: policy)
        guard case .retry(let wait, let record) = verdict else {
            Issue.record("expected a retry, got \(verdict)")
            return
        }
        #expect(wait == .seconds(30))
        #expect(record.retryIn == .seconds(30))
    }

    @Test func retryOnTheLastAttemptIsADeadLetter() {
        let verdict = Verdict.decide(.retry(reason: "still down"), attempt: attempt(3), policy: policy)
        guard case .deadLetter(let record, _) = verdict else {
            Issue.record("expected a dead letter, got \(verdict)")
            return
        }
        #expect(record.retryable)
        #expect(record.retryIn == nil)
        #expect(record.attempt == 3)
        #expect(record.errorClass == "HandlerFailure")
    }

    @Test func permanentFailureIsADeadLetterAtOnceAndKeepsItsResult() {
        let result = PostgresJSON(text: "{\"rows\":0}")
        let verdict = Verdict.decide(
            .permanentFailure(reason: "bad header", result: result), errorClass: "PermanentError", attempt: attempt(1),
            policy: policy)
        guard case .deadLetter(let record, let kept) = verdict else {
            Issue.record("expected a dead letter, got \(verdict)")
            return
        }
        #expect(!record.retryable)
        #expect(record.message == "bad header")
        #expect(kept?.text == "{\"rows\":0}")
    }

    @Test func aMessageDeliveredMoreOftenThanAllowedIsDeadBeforeItRuns() {
        #expect(Verdict.beforeRunning(attempt: attempt(3), policy: policy) == nil)
        guard case .deadLetter(let record, _) = Verdict.beforeRunning(attempt: attempt(4), policy: policy) else {
            Issue.record("attempt 4 of 3 may run")
            return
        }
        #expect(record.errorClass == "AttemptsExhausted")
        #expect(!record.retryable)
        #expect(record.message.contains("attempt 4 of at most 3"))
    }

    @Test func thrownErrorsAreClassified() {
        guard case .permanentFailure(let reason, _) = HandlerOutcome(caught: PermanentError("no such column")) else {
            Issue.record("a PermanentError was not permanent")
            return
        }
        #expect(reason == "no such column")
        guard case .retry(_, let delay) = HandlerOutcome(caught: RetryableError("slow down", delay: .seconds(7))) else {
            Issue.record("a RetryableError was not retried")
            return
        }
        #expect(delay == .seconds(7))
        struct Unknown: Error {}
        guard case .retry = HandlerOutcome(caught: Unknown()) else {
            Issue.record("an unknown error was not retried")
            return
        }
    }

    @Test("one history format for every origin: retry_in_ms, never retry_in_seconds")
    func recordJSON() throws {
        let record = AttemptRecord(
            at: at, attempt: 2, worker: "w1", handler: "csv.claims", errorClass: "AWSError", message: "a\u{0}b",
            retryable: true, retryIn: .milliseconds(1500), object: "s3://b/k")
        let object = try #require(JSONSerialization.jsonObject(with: Data(record.json.utf8)) as? [String: Any])
        #expect(object["retry_in_ms"] as? Int == 1500)
        #expect(object["retry_in_seconds"] == nil)
        #expect(object["class"] as? String == "retryable")
        #expect(object["error"] as? String == "AWSError")
        #expect(object["handler"] as? String == "csv.claims")
        #expect(object["object"] as? String == "s3://b/k")
        #expect(object["attempt"] as? Int == 2)
        #expect(object["message"] as? String == "a\u{2400}b")
    }

    @Test func backoffGrowsToItsCapAndNeverOverflows() {
        let policy = RetryPolicy(maxAttempts: 100, base: .milliseconds(100), cap: .seconds(2))
        #expect(policy.ceiling(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.ceiling(afterAttempt: 4) == .milliseconds(800))
        #expect(policy.ceiling(afterAttempt: 6) == .seconds(2))
        #expect(policy.ceiling(afterAttempt: 500) == .seconds(2))
        #expect(RetryPolicy.backoff(base: .zero, cap: .seconds(1)).ceiling(afterAttempt: 3) == .zero)
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
