import Foundation
import IntakeAWS
import Testing

@Suite(
    "SQS against the emulator",
    .enabled(if: MotoEnvironment.isAvailable, "needs AWS_ENDPOINT_URL (run scripts/test)"))
struct SQSIntegrationTests {
    let sqs: SQSClient

    init() throws {
        sqs = try SQSClient(configuration: MotoEnvironment.configuration(), http: MotoEnvironment.http)
    }

    @Test func sendReceiveChangeVisibilityAndDeleteBatch() async throws {
        let queue = try await sqs.createQueue(name: MotoEnvironment.uniqueName("intake-sqs"))
        defer { Task { [sqs] in try? await sqs.deleteQueue(queueURL: queue) } }
        #expect(try await sqs.getQueueURL(name: String(queue.split(separator: "/").last!)) == queue)

        let sent = try await sqs.sendMessage(
            queueURL: queue, body: "first \"quoted\" \u{1}ü", messageAttributes: ["kind": .string("test")])
        #expect(!sent.messageId.isEmpty)
        let batch = try await sqs.sendMessageBatch(
            queueURL: queue, entries: (0..<12).map { SQSSendEntry(id: "m\($0)", body: "batch \($0)") })
        #expect(batch.successful.count == 12)
        #expect(batch.failed.isEmpty)

        var received: [SQSMessage] = []
        for _ in 0..<10 where received.count < 13 {
            received += try await sqs.receiveMessages(queueURL: queue, maxMessages: 10, waitSeconds: 1, visibilityTimeout: 60)
        }
        #expect(received.count == 13)
        let first = try #require(received.first { $0.messageId == sent.messageId })
        #expect(first.body == "first \"quoted\" \u{1}ü")
        #expect(first.receiveCount == 1)
        #expect(first.attributes["ApproximateReceiveCount"] == "1")
        #expect(first.messageAttributes["kind"]?.stringValue == "test")

        // Make the first message visible again at once: it comes back with a higher count.
        try await sqs.changeMessageVisibility(queueURL: queue, receiptHandle: first.receiptHandle, visibilityTimeout: 0)
        let again = try await sqs.receiveMessages(queueURL: queue, waitSeconds: 2)
        let redelivered = try #require(again.first { $0.messageId == sent.messageId })
        #expect(redelivered.receiveCount == 2)

        let visibility = try await sqs.changeMessageVisibilityBatch(
            queueURL: queue,
            entries: received.filter { $0.messageId != sent.messageId }.enumerated().map {
                SQSVisibilityEntry(id: "v\($0.offset)", receiptHandle: $0.element.receiptHandle, visibilityTimeout: 30)
            })
        #expect(visibility.successful.count == 12)

        var toDelete = received.filter { $0.messageId != sent.messageId }.enumerated().map {
            SQSDeleteEntry(id: "d\($0.offset)", receiptHandle: $0.element.receiptHandle)
        }
        toDelete.append(SQSDeleteEntry(id: "r", receiptHandle: redelivered.receiptHandle))
        toDelete.append(SQSDeleteEntry(id: "bogus", receiptHandle: "not-a-receipt-handle"))
        let deleted = try await sqs.deleteMessageBatch(queueURL: queue, entries: toDelete)
        #expect(deleted.successful.count == 13)
        #expect(deleted.failed.map(\.id) == ["bogus"])

        let attributes = try await sqs.getQueueAttributes(queueURL: queue)
        #expect(attributes["ApproximateNumberOfMessages"] == "0")
    }

    @Test func missingQueueIsNotFoundAndPermanent() async throws {
        let config = try MotoEnvironment.configuration()
        let endpoint = try config.resolvedEndpoint(for: "sqs")
        let missing = endpoint.url(path: "/123456789012/intake-missing-\(UInt32.random(in: 0...UInt32.max))")
        do {
            _ = try await sqs.receiveMessages(queueURL: missing, waitSeconds: 0)
            Issue.record("receiving from a missing queue succeeded")
        } catch let error as AWSError {
            #expect(error.isNotFound, "\(error)")
            #expect(!error.isRetryable)
            #expect(error.operation == "SQS.ReceiveMessage")
        }
    }
}
