/// A verified request, ready to be recorded in `intake.deliveries`.
public struct DeliveryDraft: Sendable {
    public var source: String
    /// The idempotency key.
    public var externalID: String
    /// JSON object text, credentials already removed.
    public var headersJSON: String
    public var contentType: String?
    public var body: [UInt8]

    public init(source: String, externalID: String, headersJSON: String = "{}", contentType: String?, body: [UInt8]) {
        self.source = source
        self.externalID = externalID
        self.headersJSON = headersJSON
        self.contentType = contentType
        self.body = body
    }
}

/// What recording a draft came to: the delivery's id, and whether it was already there.
public struct RecordedDelivery: Sendable, Equatable {
    public var id: Int64
    public var isDuplicate: Bool

    public init(id: Int64, isDuplicate: Bool) {
        self.id = id
        self.isDuplicate = isDuplicate
    }
}

/// The delivery could not be recorded durably now (the database is unreachable or refused the
/// batch); the receiver answers 503 with `Retry-After`.
public struct DeliveryStoreUnavailable: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "cannot record the delivery: \(reason)" }
}

/// What the writer reports: metrics plug in here.
public protocol GroupCommitObserver: Sendable {
    /// A batch committed: how many requests it answered and how long the database took.
    func batchCommitted(size: Int, seconds: Double)
    /// A batch failed; its requests were answered 503.
    func batchFailed(size: Int)
}

public struct NoGroupCommitObserver: GroupCommitObserver {
    public init() {}
    public func batchCommitted(size: Int, seconds: Double) {}
    public func batchFailed(size: Int) {}
}
