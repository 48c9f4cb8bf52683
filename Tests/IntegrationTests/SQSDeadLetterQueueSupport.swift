import Foundation
import IntakeAWS
import IntakeHandlers
import IntakeRuntime
import IntakeTestSupport
import Testing

/// A queue with a dead-letter queue behind its redrive policy, on moto (AWS_ENDPOINT_URL, no
/// message move tasks) or LocalStack (INTAKE_LOCALSTACK_ENDPOINT, which scripts/test starts
/// for the SQS tests; it has them).
struct DeadLetterQueueFixture {
    enum Emulator: String, CustomTestStringConvertible, CaseIterable {
        case moto, localstack
        var testDescription: String { rawValue }

        var endpoint: String? {
            let name = self == .moto ? "AWS_ENDPOINT_URL" : "INTAKE_LOCALSTACK_ENDPOINT"
            return ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    static let localStackAvailable = Emulator.localstack.endpoint != nil
    static let localStackSkipReason: Comment =
        "needs INTAKE_LOCALSTACK_ENDPOINT: scripts/test starts LocalStack for the SQS tests"

    let emulator: Emulator
    let aws: AWSClients
    var sqs: SQSClient { aws.sqs }
    let sourceURL: String
    let dlqURL: String
    let endpoint: String

    /// The environment that points intakectl at this emulator (and at no configuration file).
    var environment: [String: String] {
        [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1", "INTAKE_CONFIG": "", "INTAKE_SQS_QUEUE_URL": sourceURL,
        ]
    }

    static func make(_ emulator: Emulator) async throws -> DeadLetterQueueFixture {
        let endpoint = try #require(emulator.endpoint)
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ENDPOINT_URL"] = endpoint
        environment["AWS_ACCESS_KEY_ID"] = "test"
        environment["AWS_SECRET_ACCESS_KEY"] = "test"
        environment["AWS_SESSION_TOKEN"] = nil
        let configuration = try AWSConfiguration.fromEnvironment(environment, region: "us-east-1", s3PathStyle: true)
        let aws = try AWSClients(configuration: configuration, http: SQSTestEnvironment.http)
        let sqs = aws.sqs
        let dlqURL = try await sqs.createQueue(name: SQSTestEnvironment.uniqueName("intake-dlq"))
        let dlqARN = try #require(try await sqs.getQueueAttributes(queueURL: dlqURL, names: ["QueueArn"])["QueueArn"])
        let sourceURL = try await sqs.createQueue(
            name: SQSTestEnvironment.uniqueName("intake-src"),
            attributes: ["RedrivePolicy": #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":"3"}"#])
        return DeadLetterQueueFixture(
            emulator: emulator, aws: aws, sourceURL: sourceURL, dlqURL: dlqURL, endpoint: endpoint)
    }

    /// What was put in the DLQ: body → user attributes, every body distinct.
    typealias Sent = [String: [String: SQSMessageAttribute]]

    /// `count` messages in the DLQ, each with a string, a number and a binary attribute.
    func fillDeadLetterQueue(_ count: Int) async throws -> Sent {
        var sent: Sent = [:]
        for index in 0..<count {
            let body = #"{"Records":[{"n":\#(index),"text":"dead letter \#(index) ✓"}]}"#
            let attributes: [String: SQSMessageAttribute] = [
                "origin": .string("test-\(index)"), "attempt": .number(String(index % 7)),
                "blob": SQSMessageAttribute(dataType: "Binary", binaryValue: [0, 1, 2, UInt8(index % 256), 255]),
            ]
            try await sqs.sendMessage(queueURL: dlqURL, body: body, messageAttributes: attributes)
            sent[body] = attributes
        }
        return sent
    }

    /// Every message of `queueURL`, received and kept hidden, until a long poll finds none.
    func drain(_ queueURL: String) async throws -> [SQSMessage] {
        var messages: [SQSMessage] = []
        var empty = 0
        while empty < 2 {
            let batch = try await sqs.receiveMessages(
                queueURL: queueURL, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 300, attributeNames: ["All"],
                messageAttributeNames: ["All"])
            empty = batch.isEmpty ? empty + 1 : 0
            messages += batch
        }
        return messages
    }

    func counts(_ queueURL: String) async throws -> (visible: Int, inFlight: Int) {
        try await SQSTestEnvironment.depth(aws, queueURL)
    }

    /// Every sent message is in `received` exactly once, with the same body and attributes.
    static func expectEachExactlyOnce(_ received: [SQSMessage], _ sent: Sent, _ context: String) {
        let bodies = received.map(\.body)
        #expect(bodies.count == sent.count, "\(context): \(bodies.count) messages back for \(sent.count) sent")
        #expect(Set(bodies) == Set(sent.keys), "\(context): the bodies differ")
        #expect(Set(bodies).count == bodies.count, "\(context): some message came back twice")
        for message in received {
            #expect(message.messageAttributes == sent[message.body], "\(context): attributes of \(message.body)")
        }
    }
}
