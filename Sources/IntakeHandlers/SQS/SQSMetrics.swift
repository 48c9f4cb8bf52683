import IntakeCore
import Synchronization

/// The SQS worker's metrics. Outcomes, handler time, in-flight and heartbeats go to the same
/// families the table consumers' `MetricsObserver` writes, with origin `sqs`, so one dashboard
/// covers every source; the rest (received, acknowledged, receive calls, deletes) are SQS's own.
///
/// Handles are looked up once per handler and kept: `MetricsObserver` looks each one up per
/// message, which costs this worker more CPU than the rest of its own per-message work.
public final class SQSMetrics: Sendable {
    /// Label for messages that never reached a handler (test events, unrouted objects).
    public static let noHandler = "none"

    struct HandlerSeries: Sendable {
        let received: Counter
        let acknowledged: Counter
        let succeeded: Counter
        let retried: Counter
        let deadLettered: Counter
        let duration: Histogram
    }

    public let registry: MetricsRegistry
    private let perHandler = Mutex<[String: HandlerSeries]>([:])
    private let inFlight: Gauge
    private let renewals: Counter
    private let receives: Counter
    private let receiveErrors: Counter
    private let deletes: Counter
    private let deleteFailures: Counter

    public init(registry: MetricsRegistry = .shared) {
        self.registry = registry
        let origin = ["origin": Origin.sqs.rawValue]
        // Names and help as MetricsObserver registers them.
        inFlight = registry.gauge("intake_messages_in_flight", help: "Messages claimed and not yet settled.", labels: origin)
        renewals = registry.counter("intake_lease_renewals_total", help: "Row leases renewed by heartbeat.", labels: origin)
        receives = registry.counter("intake_sqs_receive_calls_total", help: "ReceiveMessage calls that answered.")
        receiveErrors = registry.counter("intake_sqs_receive_errors_total", help: "ReceiveMessage calls that failed.")
        deletes = registry.counter("intake_sqs_messages_deleted_total", help: "Messages deleted from the queue.")
        deleteFailures = registry.counter(
            "intake_sqs_delete_failures_total", help: "Messages SQS refused to delete (receipt no longer valid).")
    }

    func series(_ handler: String) -> HandlerSeries {
        if let existing = perHandler.withLock({ $0[handler] }) { return existing }
        let own = ["handler": handler]
        let shared = ["origin": Origin.sqs.rawValue, "handler": handler]
        func outcome(_ name: String, _ words: String) -> Counter {
            registry.counter("intake_messages_\(name)_total", help: "Messages \(words), by origin and handler.", labels: shared)
        }
        let made = HandlerSeries(
            received: registry.counter(
                "intake_sqs_messages_received_total", help: "SQS messages received, by the handler they route to.",
                labels: own),
            acknowledged: registry.counter(
                "intake_sqs_messages_acknowledged_total",
                help: "SQS messages deleted without a handler (test events, unrouted or non-create events).", labels: own),
            succeeded: outcome("succeeded", "succeeded"), retried: outcome("retried", "retried"),
            deadLettered: outcome("dead_lettered", "dead lettered"),
            duration: registry.histogram("intake_handler_duration_seconds", help: "Time spent in handlers.", labels: shared))
        return perHandler.withLock { cache in
            if let existing = cache[handler] { return existing }
            cache[handler] = made
            return made
        }
    }

    func received(_ handler: String) { series(handler).received.increment() }
    func inFlightChanged(_ delta: Int) { inFlight.increment(by: Double(delta)) }
    func visibilityExtended(_ count: Int) { renewals.increment(by: count) }
    func receiveCall(ok: Bool) { ok ? receives.increment() : receiveErrors.increment() }
    func deleted(_ count: Int) { deletes.increment(by: count) }
    func deleteFailed() { deleteFailures.increment() }

    func settled(_ disposition: SQSDisposition) {
        let series = series(disposition.handler)
        let counter: Counter
        switch disposition.kind {
        case .succeeded: counter = series.succeeded
        case .retried: counter = series.retried
        case .deadLettered: counter = series.deadLettered
        case .acknowledged:
            series.acknowledged.increment()
            return
        case .released: return
        }
        counter.increment()
        series.duration.observe(disposition.seconds ?? 0)
    }
}
