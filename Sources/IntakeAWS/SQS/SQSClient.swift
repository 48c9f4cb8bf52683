import Foundation
import IntakeSupport
import Logging

/// Amazon SQS over its JSON protocol (`application/x-amz-json-1.0`, `X-Amz-Target`).
///
/// Batch calls accept any number of entries and send them ten at a time, as SQS requires.
public struct SQSClient: Sendable {
    let sender: AWSRequestSender
    public let endpoint: AWSEndpoint

    /// - Parameters:
    ///   - http: shared by every client of the process; its threads hold the connections.
    ///   - retry: for network errors, 5xx and throttling; other errors are thrown at once.
    public init(
        configuration: AWSConfiguration, http: CurlHTTPClient, retry: RetryPolicy = .awsDefault,
        logger: Logger = Logger(label: "intake.sqs")
    ) throws {
        self.endpoint = try configuration.resolvedEndpoint(for: "sqs")
        self.sender = AWSRequestSender(
            http: http, credentials: configuration.credentialProvider, region: configuration.region, service: "sqs",
            retry: retry, logger: logger)
    }

    static let decoder = JSONDecoder()
    static let maxBatch = 10

    func call(_ operation: String, _ body: JSONObjectWriter, timeout: Duration? = nil) async throws -> HTTPResponse {
        let request = AWSRequestSender.Request(
            operation: "SQS.\(operation)", method: "POST", endpoint: endpoint, path: "/",
            headers: ["Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.\(operation)"],
            body: body.bytes, timeout: timeout)
        return try await sender.send(request)
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ operation: String) throws -> T {
        do {
            return try Self.decoder.decode(type, from: Data(response.body))
        } catch {
            throw AWSError(
                kind: .invalidResponse, status: response.status,
                message: "unreadable \(operation) response: \(error); body starts \(String(decoding: response.body.prefix(200), as: UTF8.self))",
                operation: "SQS.\(operation)")
        }
    }

    /// Long-polls for up to `maxMessages` (1…10) messages. Asks for `ApproximateReceiveCount`
    /// (and any `attributeNames`) under both the current and the legacy parameter name.
    public func receiveMessages(
        queueURL: String, maxMessages: Int = 10, waitSeconds: Int = 20, visibilityTimeout: Int? = nil,
        attributeNames: [String] = ["ApproximateReceiveCount", "SentTimestamp"], messageAttributeNames: [String] = ["All"]
    ) async throws -> [SQSMessage] {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        body.field("MaxNumberOfMessages", min(max(maxMessages, 1), 10))
        body.field("WaitTimeSeconds", min(max(waitSeconds, 0), 20))
        if let visibilityTimeout { body.field("VisibilityTimeout", visibilityTimeout) }
        var names = attributeNames
        if !names.contains("ApproximateReceiveCount") && !names.contains("All") { names.append("ApproximateReceiveCount") }
        body.field("MessageSystemAttributeNames", names)
        body.field("AttributeNames", names)
        if !messageAttributeNames.isEmpty { body.field("MessageAttributeNames", messageAttributeNames) }
        // The long poll holds the connection for waitSeconds; allow for it on top of the usual limit.
        let response = try await call("ReceiveMessage", body, timeout: .seconds(waitSeconds + 30))
        return try decode(SQSWire.ReceiveResponse.self, response, "ReceiveMessage").Messages?.map(SQSWire.message) ?? []
    }

    public func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        body.field("ReceiptHandle", receiptHandle)
        _ = try await call("DeleteMessage", body)
    }

    /// Deletes in batches of ten; per-entry failures come back in `failed`, not as a throw.
    public func deleteMessageBatch(queueURL: String, entries: [SQSDeleteEntry]) async throws -> SQSBatchResult {
        var result = SQSBatchResult()
        for start in stride(from: 0, to: entries.count, by: Self.maxBatch) {
            var body = JSONObjectWriter()
            body.field("QueueUrl", queueURL)
            body.field(
                "Entries",
                objects: entries[start..<min(start + Self.maxBatch, entries.count)].map { entry in
                    var object = JSONObjectWriter()
                    object.field("Id", entry.id)
                    object.field("ReceiptHandle", entry.receiptHandle)
                    return object
                })
            merge(try decode(SQSWire.BatchResponse.self, try await call("DeleteMessageBatch", body), "DeleteMessageBatch"), into: &result)
        }
        return result
    }

    public func changeMessageVisibility(queueURL: String, receiptHandle: String, visibilityTimeout: Int) async throws {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        body.field("ReceiptHandle", receiptHandle)
        body.field("VisibilityTimeout", visibilityTimeout)
        _ = try await call("ChangeMessageVisibility", body)
    }

    public func changeMessageVisibilityBatch(queueURL: String, entries: [SQSVisibilityEntry]) async throws -> SQSBatchResult {
        var result = SQSBatchResult()
        for start in stride(from: 0, to: entries.count, by: Self.maxBatch) {
            var body = JSONObjectWriter()
            body.field("QueueUrl", queueURL)
            body.field(
                "Entries",
                objects: entries[start..<min(start + Self.maxBatch, entries.count)].map { entry in
                    var object = JSONObjectWriter()
                    object.field("Id", entry.id)
                    object.field("ReceiptHandle", entry.receiptHandle)
                    object.field("VisibilityTimeout", entry.visibilityTimeout)
                    return object
                })
            let response = try await call("ChangeMessageVisibilityBatch", body)
            merge(try decode(SQSWire.BatchResponse.self, response, "ChangeMessageVisibilityBatch"), into: &result)
        }
        return result
    }

    private func merge(_ response: SQSWire.BatchResponse, into result: inout SQSBatchResult) {
        result.successful += (response.Successful ?? []).map(\.Id)
        result.failed += (response.Failed ?? []).map {
            SQSBatchFailure(id: $0.Id, code: $0.Code, message: $0.Message ?? "", senderFault: $0.SenderFault ?? false)
        }
    }

    @discardableResult
    public func sendMessage(
        queueURL: String, body messageBody: String, delaySeconds: Int? = nil,
        messageAttributes: [String: SQSMessageAttribute] = [:], messageGroupId: String? = nil,
        messageDeduplicationId: String? = nil
    ) async throws -> SQSSendResult {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        body.field("MessageBody", messageBody)
        if let delaySeconds { body.field("DelaySeconds", delaySeconds) }
        if !messageAttributes.isEmpty { body.field("MessageAttributes", object: SQSWire.attributesObject(messageAttributes)) }
        if let messageGroupId { body.field("MessageGroupId", messageGroupId) }
        if let messageDeduplicationId { body.field("MessageDeduplicationId", messageDeduplicationId) }
        let sent = try decode(SQSWire.SendResponse.self, try await call("SendMessage", body), "SendMessage")
        return SQSSendResult(messageId: sent.MessageId, md5OfBody: sent.MD5OfMessageBody, sequenceNumber: sent.SequenceNumber)
    }

    public func sendMessageBatch(queueURL: String, entries: [SQSSendEntry]) async throws -> SQSSendBatchResult {
        var result = SQSSendBatchResult(successful: [], failed: [])
        for start in stride(from: 0, to: entries.count, by: Self.maxBatch) {
            var body = JSONObjectWriter()
            body.field("QueueUrl", queueURL)
            body.field(
                "Entries",
                objects: entries[start..<min(start + Self.maxBatch, entries.count)].map { entry in
                    var object = JSONObjectWriter()
                    object.field("Id", entry.id)
                    object.field("MessageBody", entry.body)
                    if let delay = entry.delaySeconds { object.field("DelaySeconds", delay) }
                    if !entry.messageAttributes.isEmpty {
                        object.field("MessageAttributes", object: SQSWire.attributesObject(entry.messageAttributes))
                    }
                    if let group = entry.messageGroupId { object.field("MessageGroupId", group) }
                    if let dedup = entry.messageDeduplicationId { object.field("MessageDeduplicationId", dedup) }
                    return object
                })
            let response = try decode(SQSWire.BatchResponse.self, try await call("SendMessageBatch", body), "SendMessageBatch")
            result.successful += (response.Successful ?? []).map { (id: $0.Id, messageId: $0.MessageId ?? "") }
            result.failed += (response.Failed ?? []).map {
                SQSBatchFailure(id: $0.Id, code: $0.Code, message: $0.Message ?? "", senderFault: $0.SenderFault ?? false)
            }
        }
        return result
    }

    public func getQueueAttributes(queueURL: String, names: [String] = ["All"]) async throws -> [String: String] {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        body.field("AttributeNames", names)
        return try decode(SQSWire.AttributesResponse.self, try await call("GetQueueAttributes", body), "GetQueueAttributes")
            .Attributes ?? [:]
    }

    /// Creates the queue (or returns the existing one with the same attributes); returns its URL.
    public func createQueue(name: String, attributes: [String: String] = [:]) async throws -> String {
        var body = JSONObjectWriter()
        body.field("QueueName", name)
        if !attributes.isEmpty {
            var object = JSONObjectWriter()
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { object.field(key, value) }
            body.field("Attributes", object: object)
        }
        return try decode(SQSWire.QueueURLResponse.self, try await call("CreateQueue", body), "CreateQueue").QueueUrl
    }

    public func getQueueURL(name: String) async throws -> String {
        var body = JSONObjectWriter()
        body.field("QueueName", name)
        return try decode(SQSWire.QueueURLResponse.self, try await call("GetQueueUrl", body), "GetQueueUrl").QueueUrl
    }

    public func deleteQueue(queueURL: String) async throws {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        _ = try await call("DeleteQueue", body)
    }

    public func purgeQueue(queueURL: String) async throws {
        var body = JSONObjectWriter()
        body.field("QueueUrl", queueURL)
        _ = try await call("PurgeQueue", body)
    }
}
