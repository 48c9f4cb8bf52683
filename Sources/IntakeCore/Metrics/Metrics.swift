import Foundation
import IntakeSupport

/// A value that only goes up (requests served, messages failed). Keep the handle: looking a
/// metric up in the registry costs a lock and a dictionary lookup; using the handle costs a lock.
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total: Double = 0

    init() {}

    public func increment(by amount: Int = 1) {
        self.increment(by: Double(amount))
    }

    /// Negative amounts are ignored: a counter never goes down.
    public func increment(by amount: Double) {
        guard amount > 0 else { return }
        self.lock.lock()
        self.total += amount
        self.lock.unlock()
    }

    public var value: Double {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.total
    }
}

/// A value that goes up and down (connections open, rows pending).
public final class Gauge: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double = 0

    init() {}

    public func set(_ value: Double) {
        self.lock.lock()
        self.current = value
        self.lock.unlock()
    }

    public func set(_ value: Int) { self.set(Double(value)) }

    public func increment(by amount: Double = 1) {
        self.lock.lock()
        self.current += amount
        self.lock.unlock()
    }

    public func decrement(by amount: Double = 1) { self.increment(by: -amount) }

    public var value: Double {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.current
    }
}

/// Observations counted into fixed buckets (latencies, sizes), exposed as Prometheus
/// `_bucket`/`_sum`/`_count`.
public final class Histogram: @unchecked Sendable {
    /// Prometheus' usual latency buckets, in seconds.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Upper bounds, ascending, without `+Inf` (which is implicit).
    public let buckets: [Double]
    private let lock = NSLock()
    /// Per-bucket (not cumulative) counts; the last slot is the `+Inf` overflow.
    private var counts: [UInt64]
    private var sum: Double = 0
    private var count: UInt64 = 0

    init(buckets: [Double]) {
        self.buckets = buckets
        self.counts = Array(repeating: 0, count: buckets.count + 1)
    }

    public func observe(_ value: Double) {
        // Buckets are few; a linear scan beats a binary search at these sizes.
        var index = 0
        while index < self.buckets.count, value > self.buckets[index] { index += 1 }
        self.lock.lock()
        self.counts[index] += 1
        self.sum += value
        self.count += 1
        self.lock.unlock()
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        self.observe(duration.seconds)
    }

    /// Runs `body` and records how long it took, even when it throws.
    public func time<T>(_ body: () async throws -> T) async rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { self.observe(clock.now - start) }
        return try await body()
    }

    struct Snapshot {
        var cumulative: [UInt64]
        var sum: Double
        var count: UInt64
    }

    func snapshot() -> Snapshot {
        self.lock.lock()
        let counts = self.counts
        let sum = self.sum
        let count = self.count
        self.lock.unlock()
        var running: UInt64 = 0
        return Snapshot(cumulative: counts.map { running += $0; return running }, sum: sum, count: count)
    }
}
