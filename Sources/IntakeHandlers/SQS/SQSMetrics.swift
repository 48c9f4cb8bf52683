import IntakeCore
import Synchronization

/// The SQS worker's metrics, per handler where a handler is known. Handles are cached by
/// handler name: a lookup in the registry costs a lock and a dictionary search per message.
public final class SQSMetrics: Sendable {
    /// Label for messages that never reached a handler (test events, unrouted objects).
    public static let noHandler = "none"

    public let registry: MetricsRegistry
    private let perHandler = Mutex<[String: HandlerSeries]>([:])
    private let inFlight: Gauge
    private let receives: Counter
    private let receiveErrors: Counter
    private let deletes: Counter
    private let deleteFailures: Counter
    private let extensions: Counter

    struct HandlerSeries: Sendable {
        let received: Counter
        let succeeded: Counter
        let retried: Counter
        let deadLettered: Counter
        let acknowledged: Counter
        let duration: Histogram
    }

    public init(registry: MetricsRegistry = .shared) {
        self.registry = registry
        inFlight = registry.gauge("intake_sqs_messages_in_flight", help: "SQS messages being worked on by this process.")
        receives = registry.counter("intake_sqs_receive_calls_total", help: "ReceiveMessage calls that answered.")
        receiveErrors = registry.counter("intake_sqs_receive_errors_total", help: "ReceiveMessage calls that failed.")
        deletes = registry.counter("intake_sqs_messages_deleted_total", help: "Messages deleted from the queue.")
        deleteFailures = registry.counter(
            "intake_sqs_delete_failures_total", help: "Messages SQS refused to delete (receipt no longer valid).")
        extensions = registry.counter(
            "intake_sqs_visibility_extensions_total", help: "Visibility extensions sent by the heartbeat.")
    }

    func series(_ handler: String) -> HandlerSeries {
        if let existing = perHandler.withLock({ $0[handler] }) { return existing }
        let labels = ["handler": handler]
        let made = HandlerSeries(
            received: registry.counter(
                "intake_sqs_messages_received_total", help: "SQS messages received, by the handler they route to.",
                labels: labels),
            succeeded: registry.counter(
                "intake_sqs_messages_succeeded_total", help: "SQS messages whose handlers succeeded.", labels: labels),
            retried: registry.counter(
                "intake_sqs_messages_retried_total", help: "SQS messages put back for a later attempt.", labels: labels),
            deadLettered: registry.counter(
                "intake_sqs_messages_dead_lettered_total", help: "SQS messages written to intake.dead_letters.",
                labels: labels),
            acknowledged: registry.counter(
                "intake_sqs_messages_acknowledged_total",
                help: "SQS messages deleted without a handler (test events, unrouted or non-create events).",
                labels: labels),
            duration: registry.histogram(
                "intake_sqs_handler_duration_seconds", help: "Time spent in handlers per SQS message.", labels: labels))
        return perHandler.withLock { cache in
            if let existing = cache[handler] { return existing }
            cache[handler] = made
            return made
        }
    }

    func received(_ handler: String) { series(handler).received.increment() }
    func receiveCall(ok: Bool) { ok ? receives.increment() : receiveErrors.increment() }
    func inFlightChanged(_ delta: Int) { inFlight.increment(by: Double(delta)) }
    func deleted(_ count: Int) { deletes.increment(by: count) }
    func deleteFailed() { deleteFailures.increment() }
    func visibilityExtended(_ count: Int) { extensions.increment(by: count) }

    func settled(_ handler: String, _ outcome: SQSDisposition.Kind, seconds: Double?) {
        let series = series(handler)
        switch outcome {
        case .succeeded: series.succeeded.increment()
        case .acknowledged: series.acknowledged.increment()
        case .retried: series.retried.increment()
        case .deadLettered: series.deadLettered.increment()
        case .released: break
        }
        if let seconds { series.duration.observe(seconds) }
    }
}
