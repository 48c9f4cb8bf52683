import IntakeCore

/// How the SQS consumer paces itself: the `sqs:` section plus `workers.concurrency` and
/// `workers.shutdown_grace_seconds`.
public struct SQSConsumerSettings: Sendable, Equatable {
    public var queueURL: String
    /// Long-poll `WaitTimeSeconds`, 0–20.
    public var waitSeconds: Int
    /// Upper bound of `MaxNumberOfMessages`, 1–10. The consumer never asks for more messages
    /// than it has free handler slots: a message it holds without working on it would be
    /// waiting for this pod while another could take it.
    public var maxMessages: Int
    /// Visibility on receive, and what every heartbeat extends it to.
    public var visibilitySeconds: Int
    /// Messages worked on at once.
    public var concurrency: Int
    /// On SIGTERM, how long handlers in flight may take to finish before they are cancelled
    /// and their messages released.
    public var shutdownGrace: Duration
    /// The longest visibility a retry may ask for (SQS' own limit is 12 h).
    public var maxRetryVisibilitySeconds: Int
    /// How long a finished message may wait for nine others before its delete is sent.
    public var deleteFlushInterval: Duration

    public init(
        queueURL: String, waitSeconds: Int = 20, maxMessages: Int = 10, visibilitySeconds: Int = 120,
        concurrency: Int = 8, shutdownGrace: Duration = .seconds(30), maxRetryVisibilitySeconds: Int = 43_200,
        deleteFlushInterval: Duration = .milliseconds(5)
    ) {
        self.queueURL = queueURL
        self.waitSeconds = min(max(waitSeconds, 0), 20)
        self.maxMessages = min(max(maxMessages, 1), 10)
        self.visibilitySeconds = max(visibilitySeconds, 1)
        self.concurrency = max(concurrency, 1)
        self.shutdownGrace = shutdownGrace
        self.maxRetryVisibilitySeconds = min(max(maxRetryVisibilitySeconds, 0), 43_200)
        self.deleteFlushInterval = deleteFlushInterval
    }

    /// From the configuration file; nil when it has no `sqs:` section.
    public init?(configuration: IntakeConfiguration) {
        guard let sqs = configuration.sqs else { return nil }
        self.init(
            queueURL: sqs.queueURL, waitSeconds: sqs.waitSeconds, maxMessages: sqs.maxMessages,
            visibilitySeconds: sqs.visibilitySeconds, concurrency: configuration.workers.concurrency,
            shutdownGrace: configuration.workers.shutdownGrace)
    }

    /// A third of the visibility timeout: two heartbeats can fail before a live message
    /// reappears on the queue.
    public var heartbeatInterval: Duration {
        .milliseconds(Int64(max(visibilitySeconds * 1000 / 3, 300)))
    }
}
