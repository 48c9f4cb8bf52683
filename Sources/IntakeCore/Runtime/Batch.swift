import Foundation
import IntakePostgres
import Logging

/// Runs the handlers of one claimed batch, in order, and records their outcomes.
struct Batch: Sendable {
    let consumer: TableConsumer
    let claimed: [TableConsumer.Claimed]
    let handlers: [(any Handler)?]

    func run(transaction: PostgresConnection?) async -> Settlement {
        var settlement = Settlement()
        for (index, item) in claimed.enumerated() {
            if consumer.isStopping {
                // Shutdown: rows not started go back to the queue untouched.
                settlement.released.append(contentsOf: claimed[index...].map(\.rowID))
                break
            }
            await handle(item, handler: handlers[index], transaction: transaction, into: &settlement)
        }
        return settlement
    }

    private func handle(
        _ item: TableConsumer.Claimed, handler: (any Handler)?, transaction: PostgresConnection?,
        into settlement: inout Settlement
    ) async {
        let message = item.message
        var logger = consumer.logger
        logger[metadataKey: "message.origin"] = "\(message.origin.rawValue)"
        logger[metadataKey: "message.id"] = "\(message.id)"
        logger[metadataKey: "message.attempt"] = "\(message.attempt)"
        guard let handler else {
            let reason = "no handler configured for \(consumer.table.topicColumn) \"\(message.topic)\""
            let attempt = Verdict.Attempt(number: message.attempt, worker: consumer.workerID, handler: message.handler)
            let verdict = Verdict.decide(
                .permanentFailure(reason: reason), errorClass: "UnknownHandler", attempt: attempt,
                policy: consumer.policies.policy(for: message.handler))
            record(verdict, for: item, handlerName: message.handler, seconds: 0, into: &settlement, logger: logger)
            return
        }
        logger[metadataKey: "handler"] = "\(handler.name)"
        let policy = consumer.policies.policy(for: handler.name)
        let attempt = Verdict.Attempt(number: message.attempt, worker: consumer.workerID, handler: handler.name)
        if let exhausted = Verdict.beforeRunning(attempt: attempt, policy: policy) {
            // Only reachable when leases expired repeatedly: the message kills its workers.
            record(exhausted, for: item, handlerName: handler.name, seconds: 0, into: &settlement, logger: logger)
            return
        }
        let context = HandlerContext(
            logger: logger, transaction: handler.transactionMode == .shared ? transaction : nil, pool: consumer.pool,
            workerID: consumer.workerID)
        let start = ContinuousClock.now
        let (outcome, errorName) = await HandlerOutcome.catching {
            guard handler.transactionMode == .shared, let transaction else {
                return try await handler.handle(message, context: context)
            }
            do {
                return try await transaction.withSavepoint { _ in
                    let outcome = try await handler.handle(message, context: context)
                    if case .success = outcome { return outcome }
                    // A failure outcome must not keep the handler's partial writes.
                    throw OutcomeRollback(outcome: outcome)
                }
            } catch let rollback as OutcomeRollback {
                return rollback.outcome
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        var attemptEnded = attempt
        attemptEnded.at = Date()
        let verdict = Verdict.decide(outcome, errorClass: errorName, attempt: attemptEnded, policy: policy)
        record(verdict, for: item, handlerName: handler.name, seconds: seconds, into: &settlement, logger: logger)
    }

    /// Files the verdict for the lane's settlement, logs it and counts it.
    private func record(
        _ verdict: Verdict, for item: TableConsumer.Claimed, handlerName: String, seconds: Double,
        into settlement: inout Settlement, logger: Logger
    ) {
        settlement.add(verdict, rowID: item.rowID)
        let outcome: SettledOutcome
        switch verdict {
        case .succeed:
            outcome = .succeeded
        case .retry(let wait, let record):
            logger.warning(
                "handler failed; will retry",
                metadata: ["error": "\(record.message)", "retry_in_ms": "\(wait.milliseconds)"])
            outcome = .retried
        case .deadLetter(let record, _):
            logger.error(
                record.retryable ? "attempts exhausted; dead-lettering" : "permanent failure; dead-lettering",
                metadata: ["error": "\(record.message)"])
            outcome = .deadLettered
        }
        consumer.observer.settled(origin: consumer.table.origin, handler: handlerName, outcome: outcome, seconds: seconds)
    }
}

/// Carries a non-success outcome out of a savepoint so that its writes roll back.
struct OutcomeRollback: Error {
    let outcome: HandlerOutcome
}
