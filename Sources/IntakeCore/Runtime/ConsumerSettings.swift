/// How a table consumer paces itself (the `workers` section of the configuration).
public struct ConsumerSettings: Sendable {
    /// Messages worked on at once per process: one lane each.
    public var concurrency: Int
    /// Rows claimed per round trip, per lane.
    public var batch: Int
    public var leaseSeconds: Double
    /// How long an idle lane sleeps before it looks again (a doorbell ring cuts it short).
    public var idleWait: Duration
    /// How often expired leases are reclaimed.
    public var sweepInterval: Duration

    public init(
        concurrency: Int = 8, batch: Int = 32, leaseSeconds: Double = 60, idleWait: Duration = .milliseconds(250),
        sweepInterval: Duration = .seconds(5)
    ) {
        self.concurrency = concurrency
        self.batch = batch
        self.leaseSeconds = leaseSeconds
        self.idleWait = idleWait
        self.sweepInterval = sweepInterval
    }
}

/// What the consumer reports as it works: metrics plug in here.
public protocol ConsumerObserver: Sendable {
    func settled(origin: Origin, handler: String, outcome: SettledOutcome, seconds: Double)
    func inFlightChanged(origin: Origin, delta: Int)
    func leasesRenewed(origin: Origin, count: Int)
}

public enum SettledOutcome: String, Sendable {
    case succeeded
    case retried
    case deadLettered = "dead_lettered"
}

public struct NoObserver: ConsumerObserver {
    public init() {}
    public func settled(origin: Origin, handler: String, outcome: SettledOutcome, seconds: Double) {}
    public func inFlightChanged(origin: Origin, delta: Int) {}
    public func leasesRenewed(origin: Origin, count: Int) {}
}
