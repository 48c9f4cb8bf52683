/// A message as ReceiveMessage returns it.
public struct SQSMessage: Sendable, Equatable {
    public var messageId: String
    public var receiptHandle: String
    public var body: String
    public var md5OfBody: String?
    /// System attributes, e.g. `ApproximateReceiveCount`, `SentTimestamp`.
    public var attributes: [String: String]
    public var messageAttributes: [String: SQSMessageAttribute]

    public init(
        messageId: String, receiptHandle: String, body: String, md5OfBody: String? = nil, attributes: [String: String] = [:],
        messageAttributes: [String: SQSMessageAttribute] = [:]
    ) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.md5OfBody = md5OfBody
        self.attributes = attributes
        self.messageAttributes = messageAttributes
    }

    /// How many times SQS has handed this message out, this time included (1 when absent).
    public var receiveCount: Int { attributes["ApproximateReceiveCount"].flatMap { Int($0) } ?? 1 }
}

/// A user message attribute. `binaryValue` is the decoded bytes.
public struct SQSMessageAttribute: Sendable, Equatable {
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: [UInt8]?

    public init(dataType: String, stringValue: String? = nil, binaryValue: [UInt8]? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    public static func string(_ value: String) -> SQSMessageAttribute { .init(dataType: "String", stringValue: value) }
    public static func number(_ value: String) -> SQSMessageAttribute { .init(dataType: "Number", stringValue: value) }
}

/// Outcome of a batch call: ids that succeeded and entries that failed.
public struct SQSBatchResult: Sendable, Equatable {
    public var successful: [String]
    public var failed: [SQSBatchFailure]

    public init(successful: [String] = [], failed: [SQSBatchFailure] = []) {
        self.successful = successful
        self.failed = failed
    }
}

public struct SQSBatchFailure: Sendable, Equatable, CustomStringConvertible {
    public var id: String
    public var code: String
    public var message: String
    /// True when the request was wrong (retrying the same entry will not help).
    public var senderFault: Bool

    public init(id: String, code: String, message: String, senderFault: Bool) {
        self.id = id
        self.code = code
        self.message = message
        self.senderFault = senderFault
    }

    public var description: String { "\(id): \(code) \(message)\(senderFault ? " (sender fault)" : "")" }
}

public struct SQSDeleteEntry: Sendable, Equatable {
    public var id: String
    public var receiptHandle: String
    public init(id: String, receiptHandle: String) {
        self.id = id
        self.receiptHandle = receiptHandle
    }
}

public struct SQSVisibilityEntry: Sendable, Equatable {
    public var id: String
    public var receiptHandle: String
    public var visibilityTimeout: Int
    public init(id: String, receiptHandle: String, visibilityTimeout: Int) {
        self.id = id
        self.receiptHandle = receiptHandle
        self.visibilityTimeout = visibilityTimeout
    }
}

public struct SQSSendEntry: Sendable, Equatable {
    public var id: String
    public var body: String
    public var delaySeconds: Int?
    public var messageAttributes: [String: SQSMessageAttribute]
    public var messageGroupId: String?
    public var messageDeduplicationId: String?

    public init(
        id: String, body: String, delaySeconds: Int? = nil, messageAttributes: [String: SQSMessageAttribute] = [:],
        messageGroupId: String? = nil, messageDeduplicationId: String? = nil
    ) {
        self.id = id
        self.body = body
        self.delaySeconds = delaySeconds
        self.messageAttributes = messageAttributes
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
    }
}

public struct SQSSendResult: Sendable, Equatable {
    public var messageId: String
    public var md5OfBody: String?
    public var sequenceNumber: String?
}

public struct SQSSendBatchResult: Sendable, Equatable {
    /// (entry id, message id) for each sent entry.
    public var successful: [(id: String, messageId: String)]
    public var failed: [SQSBatchFailure]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.failed == rhs.failed && lhs.successful.map(\.id) == rhs.successful.map(\.id)
            && lhs.successful.map(\.messageId) == rhs.successful.map(\.messageId)
    }
}
