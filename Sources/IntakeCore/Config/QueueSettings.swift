/// `sqs:` — the queue of S3 event notifications the SQS worker long-polls.
public struct SQSSettings: Sendable, Equatable {
    public var queueURL: String
    /// Long-poll `WaitTimeSeconds`, 0–20.
    public var waitSeconds: Int
    /// `MaxNumberOfMessages` per receive, 1–10.
    public var maxMessages: Int
    /// `VisibilityTimeout` on receive; a heartbeat extends it while a message is worked on.
    public var visibilitySeconds: Int

    public init(queueURL: String, waitSeconds: Int = 20, maxMessages: Int = 10, visibilitySeconds: Int = 120) {
        self.queueURL = queueURL
        self.waitSeconds = waitSeconds
        self.maxMessages = maxMessages
        self.visibilitySeconds = visibilitySeconds
    }
}

/// `routes[i]` — which handler takes an S3 object. The first matching route wins.
public struct RouteSettings: Sendable, Equatable {
    public var bucket: GlobPattern
    public var key: GlobPattern
    public var handler: String
    /// Where the object is moved once handled (a key prefix in the same bucket); nil leaves it.
    public var archivePrefix: String?

    public init(bucket: GlobPattern = GlobPattern("*"), key: GlobPattern, handler: String, archivePrefix: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.handler = handler
        self.archivePrefix = archivePrefix
    }

    public func matches(bucket: String, key: String) -> Bool {
        self.bucket.matches(bucket) && self.key.matches(key)
    }
}

extension Array where Element == RouteSettings {
    /// The first route matching the object, nil when none does.
    public func firstMatch(bucket: String, key: String) -> RouteSettings? {
        self.first { $0.matches(bucket: bucket, key: key) }
    }
}
