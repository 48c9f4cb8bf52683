import Foundation
import Synchronization

/// Feeds consumers' events into the process's metrics registry (served on /metrics): the
/// outcome counters, handler-duration histogram, in-flight gauge and lease renewals shared by
/// every origin, so one dashboard covers them all.
///
/// Handles are looked up once per (origin, handler) and kept: a registry lookup builds names
/// and label sets, which is too much work to repeat for every message.
public final class MetricsObserver: ConsumerObserver {
    /// The per-handler families of one origin.
    public struct Series: Sendable {
        public let succeeded: Counter
        public let retried: Counter
        public let deadLettered: Counter
        public let duration: Histogram

        public func counter(for outcome: SettledOutcome) -> Counter {
            switch outcome {
            case .succeeded: succeeded
            case .retried: retried
            case .deadLettered: deadLettered
            }
        }
    }

    public let registry: MetricsRegistry
    private let series = Mutex<[String: Series]>([:])
    private let perOrigin = Mutex<[Origin: (inFlight: Gauge, renewals: Counter)]>([:])

    public init(registry: MetricsRegistry = .shared) { self.registry = registry }

    public func series(origin: Origin, handler: String) -> Series {
        let key = origin.rawValue + "|" + handler
        if let existing = series.withLock({ $0[key] }) { return existing }
        let labels = ["origin": origin.rawValue, "handler": handler]
        func outcome(_ outcome: SettledOutcome) -> Counter {
            registry.counter(
                "intake_messages_\(outcome.rawValue)_total",
                help: "Messages \(outcome.rawValue.replacingOccurrences(of: "_", with: " ")), by origin and handler.",
                labels: labels)
        }
        let made = Series(
            succeeded: outcome(.succeeded), retried: outcome(.retried), deadLettered: outcome(.deadLettered),
            duration: registry.histogram("intake_handler_duration_seconds", help: "Time spent in handlers.", labels: labels))
        return series.withLock { cache in
            if let existing = cache[key] { return existing }
            cache[key] = made
            return made
        }
    }

    private func originSeries(_ origin: Origin) -> (inFlight: Gauge, renewals: Counter) {
        if let existing = perOrigin.withLock({ $0[origin] }) { return existing }
        let labels = ["origin": origin.rawValue]
        let made = (
            inFlight: registry.gauge("intake_messages_in_flight", help: "Messages claimed and not yet settled.", labels: labels),
            renewals: registry.counter("intake_lease_renewals_total", help: "Leases renewed by heartbeat.", labels: labels)
        )
        return perOrigin.withLock { cache in
            if let existing = cache[origin] { return existing }
            cache[origin] = made
            return made
        }
    }

    public func settled(origin: Origin, handler: String, outcome: SettledOutcome, seconds: Double) {
        let series = series(origin: origin, handler: handler)
        series.counter(for: outcome).increment()
        series.duration.observe(seconds)
    }

    public func inFlightChanged(origin: Origin, delta: Int) {
        originSeries(origin).inFlight.increment(by: Double(delta))
    }

    public func leasesRenewed(origin: Origin, count: Int) {
        originSeries(origin).renewals.increment(by: count)
    }
}
