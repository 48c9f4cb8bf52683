import Foundation
import IntakeAWS
import IntakeCore
import IntakePostgres
import IntakeSupport
import Logging
import ServiceLifecycle
import Synchronization

/// Consumes an SQS queue of S3 event notifications (SPEC §4, "SQS").
///
/// One loop long-polls `ReceiveMessage`, asking for no more messages than it has free handler
/// slots (up to `maxMessages`), and starts one task per message. A message's body is parsed
/// as an S3 event (native, SNS-wrapped, EventBridge); each `ObjectCreated` record is routed by
/// bucket and key to a handler, which receives an ``S3ObjectTask``. While handlers run, a
/// heartbeat keeps the message invisible. Then the message is settled: deleted (batched),
/// put back with the backoff for its receive count, or dead-lettered and deleted.
///
/// Decisions where the contract is silent:
/// - A message with several records runs them in order and succeeds when all do; the first
///   failure settles the whole message (a retry runs the earlier records again: handlers are
///   idempotent) and names the failing record's handler.
/// - An object no route matches is logged and acknowledged: a bucket notification often covers
///   more than the routes, and dead-lettering the rest would drown the real failures.
///   `intake_sqs_messages_acknowledged_total` counts them.
/// - A message received more times than its handler's `max_attempts` without any failure on
///   record (its workers died or lost it) is dead-lettered without running again.
public final class SQSConsumer: Service, Sendable {
    public let settings: SQSConsumerSettings
    let sqs: SQSClient
    let registry: HandlerRegistry
    let policies: RetryPolicies
    let routes: [RouteSettings]
    let pool: PostgresPool
    let workerID: String
    let logger: Logger
    let metrics: SQSMetrics
    let deleter: SQSDeleteBatcher
    let keeper: SQSVisibilityKeeper
    let failures: SQSFailureLog
    private let stopping = Atomic<Bool>(false)
    private let busy = Atomic<Int>(0)
    /// Rung when a handler slot frees up, and on stop.
    private let slotBell = Doorbell()
    private let currentReceive = Mutex<Task<[SQSMessage], any Error>?>(nil)
    /// Rung once, by stop(): cuts a receive backoff short.
    private let stopBell = Doorbell()
    /// Rung once the consumer has drained: ends the housekeeping loop.
    private let doneBell = Doorbell()

    /// Handler name for bodies that are not S3 events; they are dead-lettered at once.
    public static let unparseableHandler = "sqs.unparseable"

    public init(
        settings: SQSConsumerSettings, sqs: SQSClient, registry: HandlerRegistry, policies: RetryPolicies,
        routes: [RouteSettings], pool: PostgresPool, workerID: String, logger: Logger,
        metrics: SQSMetrics = SQSMetrics()
    ) {
        self.settings = settings
        self.sqs = sqs
        self.registry = registry
        self.policies = policies
        self.routes = routes
        self.pool = pool
        self.workerID = workerID
        self.logger = logger
        self.metrics = metrics
        self.deleter = SQSDeleteBatcher(
            sqs: sqs, queueURL: settings.queueURL, flushInterval: settings.deleteFlushInterval, logger: logger,
            metrics: metrics)
        self.keeper = SQSVisibilityKeeper(sqs: sqs, settings: settings, logger: logger, metrics: metrics)
        self.failures = SQSFailureLog(pool: pool, queueURL: settings.queueURL)
    }

    /// Stop receiving; handlers in flight finish (within the shutdown grace), messages not
    /// started are released, pending deletes are sent, then `run()` returns.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        currentReceive.withLock { $0?.cancel() }
        slotBell.ring()
        stopBell.ring()
    }

    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Messages being worked on right now.
    public var inFlight: Int { busy.load(ordering: .sequentiallyConsistent) }

    public func run() async throws {
        logger.info(
            "SQS consumer starting",
            metadata: [
                "sqs.queue_url": "\(settings.queueURL)", "concurrency": "\(settings.concurrency)",
                "sqs.visibility_seconds": "\(settings.visibilitySeconds)", "sqs.wait_seconds": "\(settings.waitSeconds)",
            ])
        await withGracefulShutdownHandler {
            await self.runUntilStopped()
        } onGracefulShutdown: {
            self.stop()
        }
        logger.info("SQS consumer stopped", metadata: ["sqs.queue_url": "\(settings.queueURL)"])
    }

    private func runUntilStopped() async {
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.deleter.run() }
            background.addTask { await self.keeper.run() }
            background.addTask { await self.pruneFailureHistory() }
            await withDiscardingTaskGroup { work in
                await receiveLoop(into: &work)
                await drain(&work)
            }
            keeper.stop()
            deleter.finish()
            doneBell.ring()
            await background.waitForAll()
        }
    }

    // MARK: Receiving

    private func receiveLoop(into work: inout DiscardingTaskGroup) async {
        var failures = 0
        while !isStopping {
            let free = await waitForFreeSlots()
            if isStopping || free == 0 { break }
            let started = ContinuousClock.now
            let messages: [SQSMessage]
            do {
                messages = try await receive(max: min(settings.maxMessages, free))
                metrics.receiveCall(ok: true)
                failures = 0
            } catch {
                if isStopping { break }
                failures += 1
                metrics.receiveCall(ok: false)
                let wait = RetryPolicy.backoff(base: .milliseconds(500), cap: .seconds(15)).delay(afterAttempt: failures)
                logger.warning(
                    "cannot receive from SQS; retrying",
                    metadata: ["error": "\(error)", "backoff_ms": "\(wait.milliseconds)"])
                // stop() rings the bell: a shutdown does not wait out the backoff.
                await stopBell.wait(after: 0, timeout: wait)
                continue
            }
            for message in messages {
                // The visibility timeout started while the call was under way.
                keeper.hold(messageID: message.messageId, receiptHandle: message.receiptHandle, receivedAt: started)
                busy.add(1, ordering: .sequentiallyConsistent)
                metrics.inFlightChanged(1)
                work.addTask {
                    await self.process(message)
                    let stillBusy = self.busy.subtract(1, ordering: .sequentiallyConsistent).newValue
                    self.metrics.inFlightChanged(-1)
                    if self.isWorthWaking(stillBusy: stillBusy) { self.slotBell.ring() }
                }
            }
        }
    }

    /// Only the counts someone waits for: the first free slot, a receive's worth of free
    /// slots, none busy (shutdown). A wake-up per finished message would cost the receive
    /// loop a timer and two tasks each.
    private func isWorthWaking(stillBusy: Int) -> Bool {
        let concurrency = settings.concurrency
        return stillBusy == 0 || stillBusy == concurrency - 1
            || stillBusy == concurrency - min(settings.maxMessages, concurrency) || isStopping
    }

    /// Waits for a free handler slot, then briefly for enough of them to fill a receive, so
    /// that fast handlers are fed ten at a time rather than one.
    private func waitForFreeSlots() async -> Int {
        let target = min(settings.maxMessages, settings.concurrency)
        var gatherUntil: ContinuousClock.Instant? = nil
        while !isStopping {
            let seen = slotBell.generation
            let free = settings.concurrency - busy.load(ordering: .sequentiallyConsistent)
            if free >= target { return free }
            if free > 0 {
                let deadline = gatherUntil ?? ContinuousClock.now + .milliseconds(20)
                gatherUntil = deadline
                let left = deadline - ContinuousClock.now
                if left <= .zero { return free }
                await slotBell.wait(after: seen, timeout: left)
            } else {
                await slotBell.wait(after: seen, timeout: .seconds(1))
            }
        }
        return 0
    }

    private func receive(max count: Int) async throws -> [SQSMessage] {
        let task = Task { [sqs, settings] in
            try await sqs.receiveMessages(
                queueURL: settings.queueURL, maxMessages: count, waitSeconds: settings.waitSeconds,
                visibilityTimeout: settings.visibilitySeconds,
                attributeNames: ["ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp"],
                messageAttributeNames: ["All"])
        }
        currentReceive.withLock { $0 = task }
        // stop() may have run before the task was stored.
        if isStopping { task.cancel() }
        defer { currentReceive.withLock { $0 = nil } }
        return try await task.value
    }

    // MARK: Shutdown

    /// Lets handlers in flight finish within the shutdown grace (less a margin for settling
    /// and the final deletes), then cancels the rest: their messages are released.
    private func drain(_ work: inout DiscardingTaskGroup) async {
        let grace = settings.shutdownGrace
        let margin = min(Duration.seconds(2), grace / 5)
        let deadline = ContinuousClock.now + grace - margin
        while inFlight > 0 {
            let seen = slotBell.generation
            if inFlight == 0 { break }
            let left = deadline - ContinuousClock.now
            if left <= .zero {
                logger.warning(
                    "shutdown grace is over; cancelling handlers still running, their messages are released",
                    metadata: ["sqs.messages": "\(inFlight)"])
                work.cancelAll()
                return
            }
            await slotBell.wait(after: seen, timeout: min(left, .seconds(1)))
        }
    }

    /// Drops the failure history of messages that left the queue some other way (retention,
    /// a purge, a redrive policy): SQS keeps a message at most 14 days.
    private func pruneFailureHistory() async {
        while true {
            do {
                let pruned = try await failures.prune(olderThanDays: 14)
                if pruned > 0 { logger.info("pruned stale SQS failure history", metadata: ["rows": "\(pruned)"]) }
            } catch {
                logger.debug("could not prune intake.sqs_failures", metadata: ["error": "\(error)"])
            }
            await doneBell.wait(after: 0, timeout: .seconds(3600))
            if doneBell.generation != 0 { return }
        }
    }

    /// Makes messages visible again at once (shutdown): another worker may take them now.
    func release(_ messages: [(id: String, receiptHandle: String)]) async {
        guard !messages.isEmpty else { return }
        let entries = messages.enumerated().map {
            SQSVisibilityEntry(id: String($0.offset), receiptHandle: $0.element.receiptHandle, visibilityTimeout: 0)
        }
        do {
            let result = try await sqs.changeMessageVisibilityBatch(queueURL: settings.queueURL, entries: entries)
            for failure in result.failed {
                logger.warning("could not release a message", metadata: ["error": "\(failure)"])
            }
            logger.info("released messages not worked on", metadata: ["sqs.messages": "\(result.successful.count)"])
        } catch {
            logger.warning(
                "could not release messages; they reappear after their visibility timeout",
                metadata: ["error": "\(error)", "sqs.messages": "\(messages.count)"])
        }
    }
}
