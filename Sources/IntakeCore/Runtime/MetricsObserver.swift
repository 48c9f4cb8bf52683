import Foundation

/// Feeds the consumer's events into the process's metrics registry (served on /metrics).
public struct MetricsObserver: ConsumerObserver {
    let registry: MetricsRegistry

    public init(registry: MetricsRegistry = .shared) { self.registry = registry }

    public func settled(origin: Origin, handler: String, outcome: SettledOutcome, seconds: Double) {
        let labels = ["origin": origin.rawValue, "handler": handler]
        registry.counter(
            "intake_messages_\(outcome.rawValue)_total", help: "Messages \(outcome.rawValue.replacingOccurrences(of: "_", with: " ")), by origin and handler.",
            labels: labels
        ).increment()
        registry.histogram("intake_handler_duration_seconds", help: "Time spent in handlers.", labels: labels).observe(seconds)
    }

    public func inFlightChanged(origin: Origin, delta: Int) {
        registry.gauge("intake_messages_in_flight", help: "Messages claimed and not yet settled.", labels: ["origin": origin.rawValue])
            .increment(by: Double(delta))
    }

    public func leasesRenewed(origin: Origin, count: Int) {
        registry.counter("intake_lease_renewals_total", help: "Row leases renewed by heartbeat.", labels: ["origin": origin.rawValue])
            .increment(by: count)
    }
}
