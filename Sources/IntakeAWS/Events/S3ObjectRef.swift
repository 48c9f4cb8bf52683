/// An S3 object named by an event notification.
public struct S3ObjectRef: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var bucket: String
    /// The key decoded (`+` as space, then `%XX`, as UTF-8): what to ask S3 for.
    public var key: String
    /// The key exactly as the event carried it. Some senders put an undecoded key in
    /// EventBridge events: when `key` is not found and differs from this, try this once.
    public var rawKey: String
    public var size: Int64?
    public var eTag: String?
    public var versionId: String?
    /// Without the `s3:` prefix, e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`.
    public var eventName: String
    public var eventTime: String?

    public init(
        bucket: String, key: String, rawKey: String, size: Int64? = nil, eTag: String? = nil, versionId: String? = nil,
        eventName: String, eventTime: String? = nil
    ) {
        self.bucket = bucket
        self.key = key
        self.rawKey = rawKey
        self.size = size
        self.eTag = eTag
        self.versionId = versionId
        self.eventName = eventName
        self.eventTime = eventTime
    }

    /// Only created objects are imported.
    public var isObjectCreated: Bool { eventName.hasPrefix("ObjectCreated:") }

    public var description: String { "s3://\(bucket)/\(key) (\(eventName))" }
}

/// What one SQS message body carried.
public struct S3EventBatch: Sendable, Equatable {
    public enum Origin: String, Sendable {
        case s3
        case sns
        case eventBridge
    }

    /// `ObjectCreated:*` objects: the ones to route to a handler.
    public var objects: [S3ObjectRef]
    /// Objects named by other events (removals, restores, …): acknowledge and log.
    public var ignored: [S3ObjectRef]
    /// S3's `s3:TestEvent`, sent when a notification is configured: acknowledge and log.
    public var isTestEvent: Bool
    /// For a test event, the bucket it names.
    public var testEventBucket: String?
    public var origin: Origin

    public init(
        objects: [S3ObjectRef] = [], ignored: [S3ObjectRef] = [], isTestEvent: Bool = false, testEventBucket: String? = nil,
        origin: Origin
    ) {
        self.objects = objects
        self.ignored = ignored
        self.isTestEvent = isTestEvent
        self.testEventBucket = testEventBucket
        self.origin = origin
    }
}

/// The body is not an S3 event notification (nor an SNS or EventBridge wrapper of one).
/// Always permanent: the same body will never parse.
public struct S3EventParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var isRetryable: Bool { false }
    public var description: String { "not an S3 event notification: \(message)" }
}
