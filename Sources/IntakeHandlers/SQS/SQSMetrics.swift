import IntakeCore
import Synchronization

/// What only the SQS worker counts. The outcomes every consumer shares (succeeded, retried,
/// dead-lettered, handler time, in flight, heartbeats) go to its `ConsumerObserver` with
/// origin `sqs`, beside the table consumers' series.
public final class SQSMetrics: Sendable {
    /// Label for messages that never reached a handler (test events, unrouted objects).
    public static let noHandler = "none"

    public let registry: MetricsRegistry
    /// Handles by handler name: a registry lookup per message costs a lock and a search.
    private let perHandler = Mutex<[String: (received: Counter, acknowledged: Counter)]>([:])
    private let receives: Counter
    private let receiveErrors: Counter
    private let deletes: Counter
    private let deleteFailures: Counter

    public init(registry: MetricsRegistry = .shared) {
        self.registry = registry
        receives = registry.counter("intake_sqs_receive_calls_total", help: "ReceiveMessage calls that answered.")
        receiveErrors = registry.counter("intake_sqs_receive_errors_total", help: "ReceiveMessage calls that failed.")
        deletes = registry.counter("intake_sqs_messages_deleted_total", help: "Messages deleted from the queue.")
        deleteFailures = registry.counter(
            "intake_sqs_delete_failures_total", help: "Messages SQS refused to delete (receipt no longer valid).")
    }

    private func series(_ handler: String) -> (received: Counter, acknowledged: Counter) {
        if let existing = perHandler.withLock({ $0[handler] }) { return existing }
        let labels = ["handler": handler]
        let made = (
            received: registry.counter(
                "intake_sqs_messages_received_total", help: "SQS messages received, by the handler they route to.",
                labels: labels),
            acknowledged: registry.counter(
                "intake_sqs_messages_acknowledged_total",
                help: "SQS messages deleted without a handler (test events, unrouted or non-create events).",
                labels: labels)
        )
        return perHandler.withLock { cache in
            if let existing = cache[handler] { return existing }
            cache[handler] = made
            return made
        }
    }

    func received(_ handler: String) { series(handler).received.increment() }
    func acknowledged(_ handler: String) { series(handler).acknowledged.increment() }
    func receiveCall(ok: Bool) { ok ? receives.increment() : receiveErrors.increment() }
    func deleted(_ count: Int) { deletes.increment(by: count) }
    func deleteFailed() { deleteFailures.increment() }
}
