import Foundation
import IntakeAWS
import IntakeTestSupport
import Testing

/// `intakectl sqs dlq`: the SQS dead-letter queue behind the worker's queue
/// (docs/DEPLOYMENT.md, "The SQS dead-letter queue").
@Suite(
    "SQS dead-letter queue commands", .serialized,
    .enabled(if: SQSTestEnvironment.available, SQSTestEnvironment.skipReason))
struct SQSDeadLetterQueueTests {
    typealias Fixture = DeadLetterQueueFixture

    func journalPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("intake-redrive-\(UUID().uuidString).journal")
            .path
    }

    func json(_ output: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(output.utf8))
    }

    /// moto 5.2.1 answers StartMessageMoveTask with a bare 500: the command copies instead.
    @Test func redriveWithoutMoveTasksCopiesEachMessageBackOnce() async throws {
        let fixture = try await Fixture.make(.moto)
        let sent = try await fixture.fillDeadLetterQueue(25)
        let journal = journalPath()
        let (status, output) = try await runTool(
            "intakectl", ["sqs", "dlq", "redrive", "--journal", journal], environment: fixture.environment)
        #expect(status == 0, "intakectl: \(output)")
        #expect(output.contains("no message move tasks"), "intakectl: \(output)")
        #expect(output.contains("moved 25 messages back"), "intakectl: \(output)")
        Fixture.expectEachExactlyOnce(try await fixture.drain(fixture.sourceURL), sent, "moto")
        #expect(try await fixture.counts(fixture.dlqURL) == (0, 0))
        #expect(!FileManager.default.fileExists(atPath: journal), "the journal of a finished redrive is removed")
    }

    @Test(.enabled(if: Fixture.localStackAvailable, Fixture.localStackSkipReason))
    func redriveThroughAMoveTaskMovesEachMessageBackOnce() async throws {
        let fixture = try await Fixture.make(.localstack)
        let sent = try await fixture.fillDeadLetterQueue(25)
        let (status, output) = try await runTool(
            "intakectl", ["sqs", "dlq", "redrive", "--wait", "--json"], environment: fixture.environment)
        #expect(status == 0, "intakectl: \(output)")
        let outcome = try #require(try json(output) as? [String: Any], "intakectl: \(output)")
        #expect(outcome["method"] as? String == "move-task")
        #expect(outcome["status"] as? String == "COMPLETED", "intakectl: \(output)")
        Fixture.expectEachExactlyOnce(try await fixture.drain(fixture.sourceURL), sent, "LocalStack move task")
        #expect(try await fixture.counts(fixture.dlqURL) == (0, 0))
    }

    @Test(.enabled(if: Fixture.localStackAvailable, Fixture.localStackSkipReason))
    func redriveWithNoMoveTaskCopiesOnLocalStackToo() async throws {
        let fixture = try await Fixture.make(.localstack)
        let sent = try await fixture.fillDeadLetterQueue(12)
        let (status, output) = try await runTool(
            "intakectl", ["sqs", "dlq", "redrive", "--no-move-task", "--rate", "100/s", "--journal", journalPath()],
            environment: fixture.environment)
        #expect(status == 0, "intakectl: \(output)")
        #expect(output.contains("moved 12 messages back"), "intakectl: \(output)")
        Fixture.expectEachExactlyOnce(try await fixture.drain(fixture.sourceURL), sent, "LocalStack copy")
    }

    @Test(.enabled(if: Fixture.localStackAvailable, Fixture.localStackSkipReason))
    func cancelStopsAMoveTaskAndLosesNothing() async throws {
        let fixture = try await Fixture.make(.localstack)
        let sent = try await fixture.fillDeadLetterQueue(20)
        let (started, startOutput) = try await runTool(
            "intakectl", ["sqs", "dlq", "redrive", "--rate", "1/s"], environment: fixture.environment)
        #expect(started == 0, "intakectl: \(startOutput)")
        #expect(startOutput.contains("move task started"), "intakectl: \(startOutput)")
        let (listed, statusOutput) = try await runTool(
            "intakectl", ["sqs", "dlq", "status", "--json"], environment: fixture.environment)
        #expect(listed == 0, "intakectl: \(statusOutput)")
        let report = try #require(try json(statusOutput) as? [String: Any], "intakectl: \(statusOutput)")
        #expect((report["move_tasks"] as? [[String: Any]])?.first?["status"] as? String == "RUNNING", "\(statusOutput)")

        let (cancelled, cancelOutput) = try await runTool(
            "intakectl", ["sqs", "dlq", "cancel"], environment: fixture.environment)
        #expect(cancelled == 0, "intakectl: \(cancelOutput)")
        #expect(cancelOutput.contains("cancelled move task"), "intakectl: \(cancelOutput)")
        try await Task.sleep(for: .seconds(2))
        let moved = try await fixture.drain(fixture.sourceURL)
        #expect(moved.count < sent.count, "the task was stopped before it moved everything")
        Fixture.expectEachExactlyOnce(moved + (try await fixture.drain(fixture.dlqURL)), sent, "cancelled move task")
    }

    @Test func peekShowsMessagesAndLeavesThemVisible() async throws {
        let fixture = try await Fixture.make(.moto)
        let sent = try await fixture.fillDeadLetterQueue(12)
        let (status, output) = try await runTool(
            "intakectl", ["sqs", "dlq", "peek", "5", "--json"], environment: fixture.environment)
        #expect(status == 0, "intakectl: \(output)")
        let peeked = try #require(try json(output) as? [[String: Any]], "intakectl: \(output)")
        #expect(peeked.count == 5)
        #expect(Set(peeked.compactMap { $0["body"] as? String }).count == 5, "five distinct messages")
        for message in peeked {
            let body = try #require(message["body"] as? String)
            let attributes = try #require(message["message_attributes"] as? [String: [String: String]])
            #expect(attributes["origin"]?["string_value"] == sent[body]?["origin"]?.stringValue)
            #expect(
                attributes["blob"]?["binary_value"]
                    == sent[body]?["blob"]?.binaryValue.map { Data($0).base64EncodedString() })
        }
        // Nothing consumed, nothing left hidden.
        #expect(try await fixture.counts(fixture.dlqURL) == (12, 0))
        let again = try await fixture.sqs.receiveMessages(queueURL: fixture.dlqURL, maxMessages: 10, waitSeconds: 0)
        #expect(again.count == 10, "peeked messages are visible again at once")
    }

    @Test func statusShowsBothQueuesThePolicyAndTheMoveTasks() async throws {
        let fixture = try await Fixture.make(.moto)
        _ = try await fixture.fillDeadLetterQueue(3)
        try await fixture.sqs.sendMessage(queueURL: fixture.sourceURL, body: "waiting")
        let (status, output) = try await runTool(
            "intakectl", ["sqs", "dlq", "status", "--json"], environment: fixture.environment)
        #expect(status == 0, "intakectl: \(output)")
        let report = try #require(try json(output) as? [String: Any], "intakectl: \(output)")
        #expect((report["queue"] as? [String: Any])?["visible"] as? Int == 1)
        #expect((report["dead_letter_queue"] as? [String: Any])?["visible"] as? Int == 3)
        #expect((report["dead_letter_queue"] as? [String: Any])?["url"] as? String == fixture.dlqURL)
        #expect((report["redrive_policy"] as? [String: Any])?["maxReceiveCount"] as? Int == 3)
        // moto has no ListMessageMoveTasks: said, not fatal.
        #expect(report["move_tasks_error"] is String, "intakectl: \(output)")

        let (text, textOutput) = try await runTool(
            "intakectl", ["sqs", "dlq", "status"], environment: fixture.environment)
        #expect(text == 0 && textOutput.contains("after 3 receives to arn:aws:sqs:"), "intakectl: \(textOutput)")
    }

    @Test func aQueueWithoutRedrivePolicyIsAClearError() async throws {
        let fixture = try await Fixture.make(.moto)
        var environment = fixture.environment
        environment["INTAKE_SQS_QUEUE_URL"] = fixture.dlqURL
        let (status, output) = try await runTool("intakectl", ["sqs", "dlq", "redrive"], environment: environment)
        #expect(status != 0)
        #expect(output.contains("has no redrive policy"), "intakectl: \(output)")
        let (badRate, rateOutput) = try await runTool(
            "intakectl", ["sqs", "dlq", "redrive", "--rate", "fast"], environment: environment)
        #expect(badRate != 0 && rateOutput.contains("--rate must be"), "intakectl: \(rateOutput)")
    }

    struct Crash: Error {}

    /// A run that dies between SendMessage and DeleteMessage leaves a message in both queues;
    /// the next run with the same journal deletes it from the DLQ without sending it again.
    @Test func anInterruptedCopyIsFinishedWithoutSendingTwice() async throws {
        let fixture = try await Fixture.make(.moto)
        let sent = try await fixture.fillDeadLetterQueue(4)
        let journal = URL(fileURLWithPath: journalPath())
        let sends = Counter()
        let crashing = SQSMessageCopier(
            sqs: fixture.sqs, from: fixture.dlqURL, to: fixture.sourceURL, journal: journal, visibilitySeconds: 1,
            receiveWaitSeconds: 1, afterSend: { _ in if sends.next() == 2 { throw Crash() } })
        await #expect(throws: Crash.self) { _ = try await crashing.run() }
        #expect(try await fixture.counts(fixture.sourceURL).visible == 2)

        try await Task.sleep(for: .milliseconds(1500))  // the hidden messages come back
        let copier = SQSMessageCopier(
            sqs: fixture.sqs, from: fixture.dlqURL, to: fixture.sourceURL, journal: journal, visibilitySeconds: 5,
            receiveWaitSeconds: 1)
        let report = try await copier.run()
        #expect(report.moved == 2)
        #expect(report.finishedFromEarlierRun == 1)
        #expect(report.possiblyDoubled.isEmpty)
        Fixture.expectEachExactlyOnce(try await fixture.drain(fixture.sourceURL), sent, "after an interrupted run")
        #expect(try await fixture.counts(fixture.dlqURL) == (0, 0))
        #expect(!FileManager.default.fileExists(atPath: journal.path))
    }

    /// A run that died during SendMessage cannot know whether SQS took the message: it is sent
    /// again (never lost) and named.
    @Test func aSendWithoutOutcomeIsSentAgainAndReported() async throws {
        let fixture = try await Fixture.make(.moto)
        _ = try await fixture.fillDeadLetterQueue(2)
        let peeked = try await fixture.sqs.peekMessages(queueURL: fixture.dlqURL, count: 1)
        let id = try #require(peeked.first?.messageId)
        let journal = URL(fileURLWithPath: journalPath())
        try Data("sending \(id)\n".utf8).write(to: journal)
        let report = try await SQSMessageCopier(
            sqs: fixture.sqs, from: fixture.dlqURL, to: fixture.sourceURL, journal: journal, receiveWaitSeconds: 1
        ).run()
        #expect(report.moved == 2)
        #expect(report.possiblyDoubled == [id])
        #expect(FileManager.default.fileExists(atPath: journal.path), "kept while a message may be doubled")
        try? FileManager.default.removeItem(at: journal)
    }
}
