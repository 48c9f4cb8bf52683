import IntakeCore
import Synchronization

/// The receiver's Prometheus series: requests by source and status code, group commit batch
/// sizes and commit latency.
public final class ReceiverMetrics: GroupCommitObserver {
    private let registry: MetricsRegistry
    private let batchSize: Histogram
    private let commitSeconds: Histogram
    private let failedBatches: Counter
    private let requests = Mutex<[String: Counter]>([:])

    public init(registry: MetricsRegistry) {
        self.registry = registry
        self.batchSize = registry.histogram(
            "intake_receiver_batch_size", help: "Deliveries written per group commit.",
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
        self.commitSeconds = registry.histogram(
            "intake_receiver_commit_seconds", help: "Time to write and commit one group of deliveries.",
            buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])
        self.failedBatches = registry.counter(
            "intake_receiver_failed_batches_total", help: "Group commits that failed (their requests got 503).")
    }

    /// `source` is a configured source name or `-` for anything else, so that probing random
    /// paths cannot grow the number of series.
    func request(source: String, status: Int) {
        let key = "\(source)|\(status)"
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.counter(
                "intake_receiver_requests_total", help: "Webhook requests answered, by source and status code.",
                labels: ["source": source, "status": String(status)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    public func batchCommitted(size: Int, seconds: Double) {
        batchSize.observe(Double(size))
        commitSeconds.observe(seconds)
    }

    public func batchFailed(size: Int) {
        failedBatches.increment()
    }
}
