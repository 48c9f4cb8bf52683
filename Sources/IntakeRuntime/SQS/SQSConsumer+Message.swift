import Foundation
import IntakeAWS
import IntakeCore
import Logging

extension SQSConsumer {
    /// Works one message from receive to settlement.
    func process(_ message: SQSMessage) async {
        var logger = self.logger
        logger[metadataKey: "sqs.message_id"] = "\(message.messageId)"
        logger[metadataKey: "message.attempt"] = "\(message.receiveCount)"
        if isStopping {
            // Received but not started: another worker may have it now rather than after the
            // visibility timeout.
            keeper.drop(messageID: message.messageId)
            await release([(message.messageId, message.receiptHandle)])
            return
        }
        let disposition = await work(on: message, logger: logger)
        if Task.isCancelled {
            // Shutdown grace over: settling must still happen, out of reach of the cancellation.
            await Task { await self.settle(message, disposition, logger: logger) }.value
        } else {
            await settle(message, disposition, logger: logger)
        }
    }

    /// Parses, routes and runs the handlers; decides what becomes of the message.
    func work(on message: SQSMessage, logger: Logger) async -> SQSDisposition {
        let batch: S3EventBatch
        do {
            batch = try S3EventParser.parse(message.body)
        } catch {
            metrics.received(Self.unparseableHandler)
            let attempt = Verdict.Attempt(number: message.receiveCount, worker: workerID, handler: Self.unparseableHandler)
            let verdict = Verdict.decide(
                .permanentFailure(reason: error.description), errorClass: "S3EventParseError", attempt: attempt,
                policy: policies.policy(for: Self.unparseableHandler))
            return SQSDisposition(verdict, handler: Self.unparseableHandler)
        }
        if batch.isTestEvent {
            metrics.received(SQSMetrics.noHandler)
            logger.info("s3:TestEvent acknowledged", metadata: ["s3.bucket": "\(batch.testEventBucket ?? "")"])
            return .acknowledged()
        }
        for object in batch.ignored {
            logger.info(
                "not an ObjectCreated event; acknowledged",
                metadata: ["s3.bucket": "\(object.bucket)", "s3.key": "\(object.key)", "s3.event": "\(object.eventName)"])
        }
        var routed: [(object: S3ObjectRef, route: RouteSettings)] = []
        for object in batch.objects {
            if let route = routes.firstMatch(bucket: object.bucket, key: object.key) {
                routed.append((object, route))
            } else {
                // Notice, not warning: an archive copy raises an event of its own, and a bucket
                // notification often covers more than the routes.
                logger.notice(
                    "no route for this object; acknowledged", metadata: ["s3.bucket": "\(object.bucket)", "s3.key": "\(object.key)"])
            }
        }
        guard let first = routed.first else {
            metrics.received(SQSMetrics.noHandler)
            return .acknowledged()
        }
        metrics.received(first.route.handler)

        var seconds = 0.0
        for (object, route) in routed {
            let (outcome, elapsed) = await run(object: object, route: route, message: message, logger: logger)
            seconds += elapsed
            guard let outcome else { continue }
            var result = outcome
            result.seconds = seconds
            return result
        }
        return SQSDisposition(kind: .succeeded, handler: first.route.handler, seconds: seconds)
    }

    /// Runs one record's handler. Returns nil when it succeeded, else how to settle the message.
    private func run(object: S3ObjectRef, route: RouteSettings, message: SQSMessage, logger: Logger) async
        -> (SQSDisposition?, Double)
    {
        let described = "s3://\(object.bucket)/\(object.key)"
        guard let handler = registry.handler(named: route.handler) else {
            let attempt = Verdict.Attempt(
                number: message.receiveCount, worker: workerID, handler: route.handler, object: described)
            let verdict = Verdict.decide(
                .permanentFailure(reason: "no handler named \(route.handler) in this build"), errorClass: "UnknownHandler",
                attempt: attempt, policy: policies.policy(for: route.handler))
            return (SQSDisposition(verdict, handler: route.handler), 0)
        }
        let policy = policies.policy(for: handler.name)
        var attempt = Verdict.Attempt(
            number: message.receiveCount, worker: workerID, handler: handler.name, object: described)
        if let exhausted = Verdict.beforeRunning(attempt: attempt, policy: policy) {
            return (SQSDisposition(exhausted, handler: handler.name), 0)
        }
        var handlerLogger = logger
        handlerLogger[metadataKey: "handler"] = "\(handler.name)"
        handlerLogger[metadataKey: "s3.bucket"] = "\(object.bucket)"
        handlerLogger[metadataKey: "s3.key"] = "\(object.key)"
        let task = S3ObjectTask(
            bucket: object.bucket, key: object.key, rawKey: object.rawKey == object.key ? nil : object.rawKey,
            versionId: object.versionId, eTag: object.eTag, size: object.size, archivePrefix: route.archivePrefix)
        let input = Message(
            origin: .sqs, id: message.messageId, handler: handler.name, attempt: attempt.number, body: Self.body(of: task),
            attributes: message.attributes, topic: settings.queueURL)
        let context = HandlerContext(logger: handlerLogger, transaction: nil, pool: pool, workerID: workerID)

        let start = ContinuousClock.now
        let (outcome, errorClass) = await HandlerOutcome.catching { try await handler.handle(input, context: context) }
        let elapsed = (ContinuousClock.now - start).seconds
        // Cancelled by shutdown: the failure is the cancellation's, not the message's.
        if case .retry = outcome, Task.isCancelled { return (.released(handler.name), elapsed) }
        attempt.at = Date()
        let verdict = Verdict.decide(outcome, errorClass: errorClass, attempt: attempt, policy: policy)
        if case .succeed(let result) = verdict {
            if let result { handlerLogger.debug("handled", metadata: ["result": "\(result.text)"]) }
            return (nil, elapsed)
        }
        return (SQSDisposition(verdict, handler: handler.name), elapsed)
    }

    /// Carries the decision out: delete (batched), back off, dead-letter then delete, or release.
    func settle(_ message: SQSMessage, _ disposition: SQSDisposition, logger: Logger) async {
        // Out of the heartbeat first, so that it cannot undo a retry's visibility.
        keeper.drop(messageID: message.messageId)
        metrics.settled(disposition)
        let attempt = message.receiveCount
        switch disposition.kind {
        case .succeeded, .acknowledged:
            deleter.add(messageID: message.messageId, receiptHandle: message.receiptHandle)
            if attempt > 1 {
                do {
                    try await failures.forget(messageID: message.messageId)
                } catch {
                    logger.warning("could not clear the message's failure history", metadata: ["error": "\(error)"])
                }
            }
        case .retried:
            let delay = disposition.retryDelay ?? .zero
            let visibility = min(Int(delay.seconds.rounded(.up)), settings.maxRetryVisibilitySeconds)
            // The history shows the wait SQS was given: whole seconds, at most its limit.
            var record = disposition.record(worker: workerID, attempt: attempt, retryable: true)
            record.retryIn = .seconds(visibility)
            logger.warning(
                "handler failed; will retry",
                metadata: ["handler": "\(disposition.handler)", "error": "\(record.message)", "retry_in_s": "\(visibility)"])
            do {
                try await failures.recordRetry(messageID: message.messageId, entry: record.json)
            } catch {
                logger.warning("could not record the failure in intake.sqs_failures", metadata: ["error": "\(error)"])
            }
            await changeVisibility(message, to: visibility, logger: logger)
        case .deadLettered:
            let record = disposition.record(worker: workerID, attempt: attempt, retryable: false)
            logger.error(
                "dead-lettering the message",
                metadata: ["handler": "\(disposition.handler)", "error": "\(record.errorClass): \(record.message)"])
            do {
                try await failures.deadLetter(message: message, handler: disposition.handler, entry: record.json)
                deleter.add(messageID: message.messageId, receiptHandle: message.receiptHandle)
            } catch {
                await keepUnwritableDeadLetter(message, handler: disposition.handler, error: error, logger: logger)
            }
        case .released:
            await release([(message.messageId, message.receiptHandle)])
        }
    }

    /// The dead letter could not be written; the message stays on the queue, never deleted
    /// unrecorded (docs/ARCHITECTURE.md, "Dead letters"). While PostgreSQL is unreachable it
    /// comes back soon and is dead-lettered once the database answers. When PostgreSQL refused
    /// the row itself, writing it again soon cannot help: the message waits the handler's
    /// growing backoff, the error log names it, and the queue's redrive policy moves it to the
    /// SQS dead-letter queue after `maxReceiveCount` receives, so it ends there, not in a loop.
    private func keepUnwritableDeadLetter(
        _ message: SQSMessage, handler: String, error: any Error, logger: Logger
    ) async {
        let wait: Int
        if ErrorClassification.isRetryable(error) {
            wait = min(settings.visibilitySeconds, 30)
            logger.error(
                "could not write the dead letter; the message stays on the queue",
                metadata: ["error": "\(error)", "retry_in_s": "\(wait)"])
        } else {
            // The backoff's ceiling, not a jittered draw: each return comes later than the last.
            let backoff = policies.policy(for: handler).ceiling(afterAttempt: message.receiveCount)
            wait = min(max(Int(backoff.seconds.rounded(.up)), settings.visibilitySeconds), settings.maxRetryVisibilitySeconds)
            logger.error(
                "PostgreSQL refused the dead letter; the message stays on the queue for its redrive policy",
                metadata: [
                    "error": "\(error)", "retry_in_s": "\(wait)", "handler": "\(handler)",
                    "sqs.body": "\(FailureHistory.storableText(message.body))",
                ])
        }
        await changeVisibility(message, to: wait, logger: logger)
    }

    private func changeVisibility(_ message: SQSMessage, to seconds: Int, logger: Logger) async {
        do {
            try await sqs.changeMessageVisibility(
                queueURL: settings.queueURL, receiptHandle: message.receiptHandle, visibilityTimeout: max(seconds, 0))
        } catch {
            logger.warning(
                "could not change the message's visibility; it reappears after its visibility timeout",
                metadata: ["error": "\(error)"])
        }
    }
}
