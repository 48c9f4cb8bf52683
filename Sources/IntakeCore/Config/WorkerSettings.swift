/// `workers:` — how every worker process paces itself.
public struct WorkerSettings: Sendable, Equatable {
    /// Messages worked on at once per process.
    public var concurrency: Int
    /// Rows claimed per round trip by the table workers.
    public var batch: Int
    /// A claimed row's lease; renewed by heartbeat while its handler runs.
    public var leaseSeconds: Int
    /// Inbox polling interval when idle.
    public var pollIntervalMilliseconds: Int
    /// The notify worker's safety sweep interval.
    public var sweepIntervalSeconds: Double
    /// How long in-flight work may take to finish on SIGTERM before it is released.
    public var shutdownGraceSeconds: Double
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    public var metricsListen: ListenAddress

    public init(
        concurrency: Int = 8,
        batch: Int = 32,
        leaseSeconds: Int = 60,
        pollIntervalMilliseconds: Int = 250,
        sweepIntervalSeconds: Double = 5,
        shutdownGraceSeconds: Double = 30,
        metricsListen: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9464)
    ) {
        self.concurrency = concurrency
        self.batch = batch
        self.leaseSeconds = leaseSeconds
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.sweepIntervalSeconds = sweepIntervalSeconds
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.metricsListen = metricsListen
    }

    public var lease: Duration { .seconds(self.leaseSeconds) }
    public var pollInterval: Duration { .milliseconds(self.pollIntervalMilliseconds) }
    public var sweepInterval: Duration { .milliseconds(Int64((self.sweepIntervalSeconds * 1000).rounded())) }
    public var shutdownGrace: Duration { .milliseconds(Int64((self.shutdownGraceSeconds * 1000).rounded())) }
}

/// `subscribers[i]` — where signed notifications of domain events are posted.
public struct SubscriberSettings: Sendable, Equatable {
    /// Event names such as `import.completed`; `*` subscribes to every event.
    public var events: [String]
    public var url: String
    /// Key the notifier signs each notification with.
    public var secret: Secret

    public init(events: [String], url: String, secret: Secret) {
        self.events = events
        self.url = url
        self.secret = secret
    }

    public func wants(_ event: String) -> Bool {
        self.events.contains(event) || self.events.contains("*")
    }
}
