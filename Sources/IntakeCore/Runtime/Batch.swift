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
            record(.permanentFailure(reason: reason), for: item, handlerName: message.handler, error: "UnknownHandler",
                   seconds: 0, into: &settlement, logger: logger)
            return
        }
        logger[metadataKey: "handler"] = "\(handler.name)"
        let policy = consumer.policies.policy(for: handler.name)
        if message.attempt > policy.maxAttempts {
            // Only reachable when leases expired repeatedly: the message kills its workers.
            record(.permanentFailure(reason: "attempts exhausted: the lease expired on every attempt"), for: item,
                   handlerName: handler.name, error: "AttemptsExhausted", seconds: 0, into: &settlement, logger: logger)
            return
        }
        let context = HandlerContext(
            logger: logger, transaction: handler.transactionMode == .shared ? transaction : nil, pool: consumer.pool,
            workerID: consumer.workerID)
        let start = ContinuousClock.now
        var outcome: HandlerOutcome
        var errorName = "HandlerFailure"
        do {
            if handler.transactionMode == .shared, let transaction {
                let result = try await transaction.withSavepoint { _ in
                    let outcome = try await handler.handle(message, context: context)
                    if case .success = outcome { return outcome }
                    // A failure outcome must not keep the handler's partial writes.
                    throw OutcomeRollback(outcome: outcome)
                }
                outcome = result
            } else {
                outcome = try await handler.handle(message, context: context)
            }
        } catch let rollback as OutcomeRollback {
            outcome = rollback.outcome
        } catch {
            errorName = ErrorClassification.className(error)
            let text = ErrorClassification.message(error)
            if ErrorClassification.isRetryable(error) {
                outcome = .retry(reason: text, delay: (error as? RetryableError)?.delay)
            } else {
                outcome = .permanentFailure(reason: text)
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        record(outcome, for: item, handlerName: handler.name, error: errorName, seconds: seconds, into: &settlement,
               logger: logger)
    }

    private func record(
        _ outcome: HandlerOutcome, for item: TableConsumer.Claimed, handlerName: String, error: String, seconds: Double,
        into settlement: inout Settlement, logger: Logger
    ) {
        let attempt = item.message.attempt
        let policy = consumer.policies.policy(for: handlerName)
        let worker = consumer.workerID
        let origin = consumer.table.origin
        switch outcome {
        case .success(let result):
            settlement.succeeded.append((item.rowID, result))
            consumer.observer.settled(origin: origin, handler: handlerName, outcome: .succeeded, seconds: seconds)
        case .retry(let reason, let delay):
            if policy.isExhausted(afterAttempt: attempt) {
                let entry = Settlement.historyEntry(
                    worker: worker, attempt: attempt, retryable: true, error: error, message: reason)
                logger.error("attempts exhausted; dead-lettering", metadata: ["error": "\(reason)"])
                settlement.dead.append((item.rowID, reason, entry, handlerName, nil))
                consumer.observer.settled(origin: origin, handler: handlerName, outcome: .deadLettered, seconds: seconds)
            } else {
                let wait = delay ?? policy.delay(afterAttempt: attempt)
                let entry = Settlement.historyEntry(
                    worker: worker, attempt: attempt, retryable: true, error: error, message: reason, retryIn: wait)
                logger.warning("handler failed; will retry", metadata: ["error": "\(reason)", "retry_in_ms": "\(wait.milliseconds)"])
                settlement.retried.append((item.rowID, wait.seconds, reason, entry))
                consumer.observer.settled(origin: origin, handler: handlerName, outcome: .retried, seconds: seconds)
            }
        case .permanentFailure(let reason, let result):
            let entry = Settlement.historyEntry(worker: worker, attempt: attempt, retryable: false, error: error, message: reason)
            logger.error("permanent failure; dead-lettering", metadata: ["error": "\(reason)"])
            settlement.dead.append((item.rowID, reason, entry, handlerName, result))
            consumer.observer.settled(origin: origin, handler: handlerName, outcome: .deadLettered, seconds: seconds)
        }
    }
}

/// Carries a non-success outcome out of a savepoint so that its writes roll back.
struct OutcomeRollback: Error {
    let outcome: HandlerOutcome
}
