import Foundation

/// The calls that operate a dead-letter queue: SQS's own message move tasks (the console's
/// "Start DLQ redrive") and finding a queue by the ARN a redrive policy names.
extension SQSClient {
    /// Starts moving the messages of `sourceARN` (a dead-letter queue) to `destinationARN`, or
    /// back to the queues they came from when nil. Returns the task handle.
    public func startMessageMoveTask(
        sourceARN: String, destinationARN: String? = nil, maxMessagesPerSecond: Int? = nil
    ) async throws -> String {
        var body = JSONObjectWriter()
        body.field("SourceArn", sourceARN)
        if let destinationARN { body.field("DestinationArn", destinationARN) }
        if let maxMessagesPerSecond { body.field("MaxNumberOfMessagesPerSecond", maxMessagesPerSecond) }
        return try decode(
            SQSWire.TaskHandleResponse.self, try await call("StartMessageMoveTask", body), "StartMessageMoveTask"
        )
        .TaskHandle
    }

    /// The most recent move tasks of `sourceARN` (at most `maxResults`, 1…10), newest first.
    public func listMessageMoveTasks(sourceARN: String, maxResults: Int = 10) async throws -> [SQSMessageMoveTask] {
        var body = JSONObjectWriter()
        body.field("SourceArn", sourceARN)
        body.field("MaxResults", min(max(maxResults, 1), 10))
        let response = try decode(
            SQSWire.MoveTasksResponse.self, try await call("ListMessageMoveTasks", body), "ListMessageMoveTasks")
        return (response.Results ?? []).map(SQSWire.moveTask)
    }

    /// Cancels a running move task; returns how many messages it had moved. Messages already
    /// moved stay where they went.
    @discardableResult
    public func cancelMessageMoveTask(taskHandle: String) async throws -> Int {
        var body = JSONObjectWriter()
        body.field("TaskHandle", taskHandle)
        let response = try decode(
            SQSWire.CancelMoveTaskResponse.self, try await call("CancelMessageMoveTask", body), "CancelMessageMoveTask")
        return response.ApproximateNumberOfMessagesMoved ?? 0
    }

    /// Up to `count` distinct messages of the queue, with all their attributes, left on it.
    /// Each batch is received hidden for `holdSeconds` (so the next receive returns other
    /// messages) and all are made visible again at once at the end; if this process dies first,
    /// they are back after `holdSeconds`. Receiving counts: each message's
    /// `ApproximateReceiveCount` goes up by one.
    public func peekMessages(queueURL: String, count: Int, holdSeconds: Int = 30) async throws -> [SQSMessage] {
        var messages: [SQSMessage] = []
        var seen = Set<String>()
        var failure: (any Error)?
        do {
            while messages.count < count {
                let batch = try await receiveMessages(
                    queueURL: queueURL, maxMessages: min(count - messages.count, 10), waitSeconds: 1,
                    visibilityTimeout: holdSeconds, attributeNames: ["All"], messageAttributeNames: ["All"])
                let fresh = batch.filter { seen.insert($0.messageId).inserted }
                if fresh.isEmpty { break }
                messages += fresh
            }
        } catch {
            failure = error
        }
        // Released whatever happened, before returning: the caller may exit right after.
        let release = try await changeMessageVisibilityBatch(
            queueURL: queueURL,
            entries: messages.enumerated().map { index, message in
                SQSVisibilityEntry(id: String(index), receiptHandle: message.receiptHandle, visibilityTimeout: 0)
            })
        if let failure { throw failure }
        if let first = release.failed.first {
            throw AWSError(
                kind: .service, code: first.code,
                message: "\(release.failed.count) peeked message(s) stay hidden for up to \(holdSeconds) s: \(first)",
                operation: "SQS.ChangeMessageVisibilityBatch")
        }
        return messages
    }

    /// The URL of the queue an ARN names (`arn:aws:sqs:REGION:ACCOUNT:NAME`), as redrive
    /// policies name their dead-letter queue.
    public func queueURL(arn: String) async throws -> String {
        guard let parsed = SQSQueueARN(arn) else {
            throw AWSError(
                kind: .invalidRequest, message: "\"\(arn)\" is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)")
        }
        var body = JSONObjectWriter()
        body.field("QueueName", parsed.name)
        body.field("QueueOwnerAWSAccountId", parsed.account)
        return try decode(SQSWire.QueueURLResponse.self, try await call("GetQueueUrl", body), "GetQueueUrl").QueueUrl
    }

    /// Whether an error from `startMessageMoveTask` means the endpoint does not offer move tasks
    /// at all (an emulator without them, e.g. moto), so copying the messages is the only way.
    /// AWS names every error it returns; an endpoint that answers 501, an "unknown operation"
    /// code, or a 5xx without any error code did not recognise the call. Access denied, a
    /// task already running or a queue that is not a dead-letter queue are real answers.
    public static func moveTasksUnsupported(_ error: any Error) -> Bool {
        guard let error = error as? AWSError else { return false }
        if let code = error.code, unsupportedCodes.contains(code) { return true }
        guard let status = error.status else { return false }
        return status == 501 || (status >= 500 && error.code == nil)
    }

    static let unsupportedCodes: Set<String> = [
        "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "InvalidAction",
        "UnknownOperationException", "UnknownOperation", "NotImplemented", "InternalFailure.NotImplemented",
    ]
}

/// One entry of ListMessageMoveTasks.
public struct SQSMessageMoveTask: Sendable, Equatable, Encodable {
    /// Present only while the task runs.
    public var taskHandle: String?
    /// RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED.
    public var status: String
    public var sourceARN: String
    public var destinationARN: String?
    public var maxMessagesPerSecond: Int?
    public var messagesMoved: Int
    public var messagesToMove: Int?
    public var failureReason: String?
    /// Milliseconds since the epoch.
    public var startedTimestamp: Int64?

    public var isRunning: Bool { status == "RUNNING" || status == "CANCELLING" }

    enum CodingKeys: String, CodingKey {
        case status, taskHandle = "task_handle", sourceARN = "source_arn", destinationARN = "destination_arn"
        case maxMessagesPerSecond = "max_messages_per_second", messagesMoved = "messages_moved"
        case messagesToMove = "messages_to_move", failureReason = "failure_reason", startedTimestamp =
            "started_timestamp"
    }
}

/// `arn:aws:sqs:REGION:ACCOUNT:NAME`.
public struct SQSQueueARN: Sendable, Equatable {
    public var region: String
    public var account: String
    public var name: String

    public init?(_ arn: String) {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sqs", !parts[4].isEmpty, !parts[5].isEmpty else {
            return nil
        }
        region = String(parts[3])
        account = String(parts[4])
        name = String(parts[5])
    }
}

/// A queue's `RedrivePolicy` attribute: where messages go after `maxReceiveCount` receives.
public struct SQSRedrivePolicy: Sendable, Equatable, Codable {
    public var deadLetterTargetARN: String
    public var maxReceiveCount: Int

    enum CodingKeys: String, CodingKey {
        case deadLetterTargetARN = "deadLetterTargetArn", maxReceiveCount
    }

    /// Parses the attribute's JSON text; SQS has returned `maxReceiveCount` as a number and as a string.
    public init?(json: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
            let target = object["deadLetterTargetArn"] as? String
        else { return nil }
        deadLetterTargetARN = target
        if let count = object["maxReceiveCount"] as? Int {
            maxReceiveCount = count
        } else if let text = object["maxReceiveCount"] as? String, let count = Int(text) {
            maxReceiveCount = count
        } else {
            return nil
        }
    }
}
