import Foundation
import IntakeCrypto

/// Response shapes of the SQS JSON protocol.
enum SQSWire {
    struct ReceiveResponse: Decodable {
        var Messages: [Message]?
    }

    struct Message: Decodable {
        var MessageId: String
        var ReceiptHandle: String
        var Body: String
        var MD5OfBody: String?
        var Attributes: [String: String]?
        var MessageAttributes: [String: Attribute]?
    }

    struct Attribute: Decodable {
        var DataType: String
        var StringValue: String?
        var BinaryValue: String?
    }

    struct BatchResponse: Decodable {
        var Successful: [BatchSuccess]?
        var Failed: [BatchFailure]?
    }

    struct BatchSuccess: Decodable {
        var Id: String
        var MessageId: String?
    }

    struct BatchFailure: Decodable {
        var Id: String
        var Code: String
        var Message: String?
        var SenderFault: Bool?
    }

    struct SendResponse: Decodable {
        var MessageId: String
        var MD5OfMessageBody: String?
        var SequenceNumber: String?
    }

    struct QueueURLResponse: Decodable {
        var QueueUrl: String
    }

    struct AttributesResponse: Decodable {
        var Attributes: [String: String]?
    }

    struct TaskHandleResponse: Decodable {
        var TaskHandle: String
    }

    struct MoveTasksResponse: Decodable {
        var Results: [MoveTask]?
    }

    struct MoveTask: Decodable {
        var TaskHandle: String?
        var Status: String
        var SourceArn: String
        var DestinationArn: String?
        var MaxNumberOfMessagesPerSecond: Int?
        var ApproximateNumberOfMessagesMoved: Int?
        var ApproximateNumberOfMessagesToMove: Int?
        var FailureReason: String?
        var StartedTimestamp: Int64?
    }

    struct CancelMoveTaskResponse: Decodable {
        var ApproximateNumberOfMessagesMoved: Int?
    }

    static func moveTask(_ wire: MoveTask) -> SQSMessageMoveTask {
        SQSMessageMoveTask(
            taskHandle: wire.TaskHandle, status: wire.Status, sourceARN: wire.SourceArn,
            destinationARN: wire.DestinationArn,
            maxMessagesPerSecond: wire.MaxNumberOfMessagesPerSecond,
            messagesMoved: wire.ApproximateNumberOfMessagesMoved ?? 0,
            messagesToMove: wire.ApproximateNumberOfMessagesToMove, failureReason: wire.FailureReason,
            startedTimestamp: wire.StartedTimestamp)
    }

    static func message(_ wire: Message) -> SQSMessage {
        var attributes: [String: SQSMessageAttribute] = [:]
        for (name, value) in wire.MessageAttributes ?? [:] {
            attributes[name] = SQSMessageAttribute(
                dataType: value.DataType, stringValue: value.StringValue,
                binaryValue: value.BinaryValue.flatMap { Base64.decode($0) })
        }
        return SQSMessage(
            messageId: wire.MessageId, receiptHandle: wire.ReceiptHandle, body: wire.Body, md5OfBody: wire.MD5OfBody,
            attributes: wire.Attributes ?? [:], messageAttributes: attributes)
    }

    static func attributesObject(_ attributes: [String: SQSMessageAttribute]) -> JSONObjectWriter {
        var object = JSONObjectWriter()
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            var attribute = JSONObjectWriter()
            attribute.field("DataType", value.dataType)
            if let string = value.stringValue { attribute.field("StringValue", string) }
            if let binary = value.binaryValue { attribute.field("BinaryValue", Base64.encode(binary)) }
            object.field(name, object: attribute)
        }
        return object
    }
}
