import IntakeAWS
import IntakeCore
import Logging
import Synchronization

/// The SQS heartbeat: while a message is worked on, its visibility is extended back to the
/// full timeout, in one `ChangeMessageVisibilityBatch` per ten messages due, so a long
/// handler keeps its message while a dead worker's messages reappear after one timeout.
final class SQSVisibilityKeeper: Sendable {
    private struct Held {
        var receiptHandle: String
        /// When the message last got its full visibility (on receive or by a heartbeat).
        var extendedAt: ContinuousClock.Instant
    }

    let sqs: SQSClient
    let queueURL: String
    let visibilitySeconds: Int
    let interval: Duration
    let logger: Logger
    let metrics: SQSMetrics
    private let held = Mutex<[String: Held]>([:])
    private let stopped = Atomic<Bool>(false)
    private let bell = Doorbell()

    init(sqs: SQSClient, settings: SQSConsumerSettings, logger: Logger, metrics: SQSMetrics) {
        self.sqs = sqs
        self.queueURL = settings.queueURL
        self.visibilitySeconds = settings.visibilitySeconds
        self.interval = settings.heartbeatInterval
        self.logger = logger
        self.metrics = metrics
    }

    /// Starts keeping a message received at `receivedAt` (its visibility runs from there).
    func hold(messageID: String, receiptHandle: String, receivedAt: ContinuousClock.Instant) {
        held.withLock { $0[messageID] = Held(receiptHandle: receiptHandle, extendedAt: receivedAt) }
    }

    func drop(messageID: String) {
        _ = held.withLock { $0.removeValue(forKey: messageID) }
    }

    var heldCount: Int { held.withLock { $0.count } }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        bell.ring()
    }

    func run() async {
        // Looking twice per interval bounds a message's unextended time to 1.5 intervals,
        // half the visibility timeout.
        let tick = interval / 2
        while !stopped.load(ordering: .sequentiallyConsistent) {
            await bell.wait(after: 0, timeout: tick)
            if stopped.load(ordering: .sequentiallyConsistent) { return }
            await extendDue()
        }
    }

    func extendDue() async {
        let started = ContinuousClock.now
        let due = held.withLock { held in
            held.filter { started - $0.value.extendedAt >= interval }.map { (id: $0.key, receipt: $0.value.receiptHandle) }
        }
        guard !due.isEmpty else { return }
        let entries = due.enumerated().map {
            SQSVisibilityEntry(id: String($0.offset), receiptHandle: $0.element.receipt, visibilityTimeout: visibilitySeconds)
        }
        do {
            let result = try await sqs.changeMessageVisibilityBatch(queueURL: queueURL, entries: entries)
            let extended = result.successful.compactMap { Int($0) }.map { due[$0].id }
            held.withLock { held in
                for id in extended { held[id]?.extendedAt = started }
            }
            metrics.visibilityExtended(extended.count)
            for failure in result.failed {
                let messageID = Int(failure.id).map { due[$0].id } ?? failure.id
                logger.warning(
                    "could not extend a message's visibility; it may be delivered to another worker",
                    metadata: ["sqs.message_id": "\(messageID)", "error": "\(failure)"])
            }
        } catch {
            // Still due: the next tick tries again, well before the visibility runs out.
            logger.warning(
                "visibility heartbeat failed", metadata: ["error": "\(error)", "sqs.messages": "\(due.count)"])
        }
    }
}
