import IntakeAWS
import IntakeCore
import Logging
import Synchronization

/// Deletes settled messages with `DeleteMessageBatch`: a finished message waits at most
/// `flushInterval` for nine others, so a busy consumer pays one call per ten messages and an
/// idle one adds a few milliseconds.
final class SQSDeleteBatcher: Sendable {
    struct Pending: Sendable {
        var messageID: String
        var receiptHandle: String
    }

    private struct State {
        var pending: [Pending] = []
        var finishing = false
    }

    let sqs: SQSClient
    let queueURL: String
    let flushInterval: Duration
    let logger: Logger
    let metrics: SQSMetrics
    private let state = Mutex(State())
    private let bell = Doorbell()
    /// After `finish()`, a batch that keeps failing is given up after this many tries: the
    /// messages reappear after their visibility timeout and their handlers run again.
    static let finalAttempts = 3

    init(sqs: SQSClient, queueURL: String, flushInterval: Duration, logger: Logger, metrics: SQSMetrics) {
        self.sqs = sqs
        self.queueURL = queueURL
        self.flushInterval = flushInterval
        self.logger = logger
        self.metrics = metrics
    }

    func add(messageID: String, receiptHandle: String) {
        let count = state.withLock { state -> Int in
            state.pending.append(Pending(messageID: messageID, receiptHandle: receiptHandle))
            return state.pending.count
        }
        // The first wakes the idle loop; the tenth cuts its wait short.
        if count == 1 || count == 10 { bell.ring() }
    }

    /// Sends what is pending and makes `run()` return.
    func finish() {
        state.withLock { $0.finishing = true }
        bell.ring()
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }

    func run() async {
        var failures = 0
        while true {
            let seen = bell.generation
            let (count, finishing) = state.withLock { ($0.pending.count, $0.finishing) }
            if count == 0 {
                if finishing { return }
                await bell.wait(after: seen, timeout: .seconds(5))
                continue
            }
            if count < 10 && !finishing {
                await bell.wait(after: seen, timeout: flushInterval)
            }
            let batch = state.withLock { state -> [Pending] in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return state.pending
            }
            if await send(batch) {
                failures = 0
                continue
            }
            failures += 1
            if finishing && failures >= Self.finalAttempts {
                logger.error(
                    "giving up deleting messages at shutdown; they will be delivered again",
                    metadata: ["sqs.messages": "\(batch.count)"])
                state.withLock { $0.pending.removeAll() }
                return
            }
            // Keep them, oldest first, and try again soon: a receipt only works while its
            // message is still invisible.
            state.withLock { $0.pending.insert(contentsOf: batch, at: 0) }
            try? await Task.sleep(for: .milliseconds(min(200 * (1 << min(failures, 5)), 5000)))
        }
    }

    /// Returns false when the call failed as a whole (the entries should be tried again).
    private func send(_ batch: [Pending]) async -> Bool {
        let entries = batch.enumerated().map { SQSDeleteEntry(id: String($0.offset), receiptHandle: $0.element.receiptHandle) }
        do {
            let result = try await sqs.deleteMessageBatch(queueURL: queueURL, entries: entries)
            metrics.deleted(result.successful.count)
            for failure in result.failed {
                let messageID = Int(failure.id).map { batch[$0].messageID } ?? failure.id
                // Usually ReceiptHandleIsInvalid: the visibility lapsed and someone else holds
                // the message now. Its handler will run again; handlers are idempotent.
                logger.warning(
                    "SQS refused to delete a message; it will be delivered again",
                    metadata: ["sqs.message_id": "\(messageID)", "error": "\(failure)"])
                metrics.deleteFailed()
            }
            return true
        } catch {
            logger.warning(
                "DeleteMessageBatch failed; retrying", metadata: ["error": "\(error)", "sqs.messages": "\(batch.count)"])
            return false
        }
    }
}
