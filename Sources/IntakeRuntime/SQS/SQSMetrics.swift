import IntakeCore
import Synchronization

/// The SQS worker's metrics. Outcomes, handler time, in-flight and heartbeats go to the same
/// families the table consumers' `MetricsObserver` writes, with origin `sqs`, so one dashboard
/// covers every source; the rest (received, acknowledged, receive calls, deletes) are SQS's own.
///
/// The shared families come from `MetricsObserver`; handles are looked up once per handler and
/// kept, as there.
public final class SQSMetrics: Sendable {
    /// Label for messages that never reached a handler (test events, unrouted objects).
    public static let noHandler = "none"

    struct HandlerSeries: Sendable {
        let received: Counter
        let acknowledged: Counter
        let shared: MetricsObserver.Series
    }

    public let registry: MetricsRegistry
    private let observer: MetricsObserver
    private let perHandler = Mutex<[String: HandlerSeries]>([:])
    private let receives: Counter
    private let receiveErrors: Counter
    private let deletes: Counter
    private let deleteFailures: Counter

    public init(registry: MetricsRegistry = .shared) {
        self.registry = registry
        self.observer = MetricsObserver(registry: registry)
        receives = registry.counter("intake_sqs_receive_calls_total", help: "ReceiveMessage calls that answered.")
        receiveErrors = registry.counter("intake_sqs_receive_errors_total", help: "ReceiveMessage calls that failed.")
        deletes = registry.counter("intake_sqs_messages_deleted_total", help: "Messages deleted from the queue.")
        deleteFailures = registry.counter(
            "intake_sqs_delete_failures_total", help: "Messages SQS refused to delete (receipt no longer valid).")
    }

    func series(_ handler: String) -> HandlerSeries {
        if let existing = perHandler.withLock({ $0[handler] }) { return existing }
        let own = ["handler": handler]
        let made = HandlerSeries(
            received: registry.counter(
                "intake_sqs_messages_received_total", help: "SQS messages received, by the handler they route to.",
                labels: own),
            acknowledged: registry.counter(
                "intake_sqs_messages_acknowledged_total",
                help: "SQS messages deleted without a handler (test events, unrouted or non-create events).", labels: own),
            shared: observer.series(origin: .sqs, handler: handler))
        return perHandler.withLock { cache in
            if let existing = cache[handler] { return existing }
            cache[handler] = made
            return made
        }
    }

    func received(_ handler: String) { series(handler).received.increment() }
    func inFlightChanged(_ delta: Int) { observer.inFlightChanged(origin: .sqs, delta: delta) }
    func visibilityExtended(_ count: Int) { observer.leasesRenewed(origin: .sqs, count: count) }
    func receiveCall(ok: Bool) { ok ? receives.increment() : receiveErrors.increment() }
    func deleted(_ count: Int) { deletes.increment(by: count) }
    func deleteFailed() { deleteFailures.increment() }

    func settled(_ disposition: SQSDisposition) {
        let series = series(disposition.handler)
        let counter: Counter
        switch disposition.kind {
        case .succeeded: counter = series.shared.succeeded
        case .retried: counter = series.shared.retried
        case .deadLettered: counter = series.shared.deadLettered
        case .acknowledged:
            series.acknowledged.increment()
            return
        case .released: return
        }
        counter.increment()
        series.shared.duration.observe(disposition.seconds ?? 0)
    }
}
