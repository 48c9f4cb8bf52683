import ArgumentParser
import Foundation
import IntakeAWS

struct SQSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqs", abstract: "Operate the SQS queue the SQS worker consumes.",
        subcommands: [SQSDeadLetters.self])
}

/// The queue's SQS dead-letter queue, where messages land after the redrive policy's
/// `maxReceiveCount` receives (docs/DEPLOYMENT.md, "The SQS dead-letter queue"). Not to be
/// confused with `intakectl dlq`, Intake's own dead-letter table.
struct SQSDeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect and redrive the SQS dead-letter queue of the worker's queue.",
        subcommands: [Status.self, Peek.self, Redrive.self, Cancel.self])

    struct QueueOptions: ParsableArguments {
        @Option(
            name: .customLong("queue-url"),
            help: "The source queue (default: INTAKE_SQS_QUEUE_URL, else sqs.queue_url).")
        var queueURL: String?
    }

    /// The source queue and the dead-letter queue its redrive policy names.
    struct Pair {
        var sqs: SQSClient
        var sourceURL: String
        var sourceARN: String
        var policy: SQSRedrivePolicy
        var dlqURL: String
        var dlqARN: String { policy.deadLetterTargetARN }

        static func resolve(_ global: GlobalOptions, _ queue: QueueOptions) async throws -> Pair {
            let configuration = try global.loadConfiguration()
            guard let sourceURL = queue.queueURL ?? SQSReplay.queueURL(configuration: configuration) else {
                throw ValidationError(
                    "no queue: pass --queue-url, set INTAKE_SQS_QUEUE_URL or sqs.queue_url in the configuration")
            }
            let sqs = try SQSReplay.clients(configuration: configuration).sqs
            let attributes = try await sqs.getQueueAttributes(
                queueURL: sourceURL, names: ["QueueArn", "RedrivePolicy"])
            guard let text = attributes["RedrivePolicy"], let policy = SQSRedrivePolicy(json: text) else {
                throw ValidationError(
                    "\(sourceURL) has no redrive policy, so it has no dead-letter queue (docs/DEPLOYMENT.md, \"Settings that must agree\")"
                )
            }
            return Pair(
                sqs: sqs, sourceURL: sourceURL, sourceARN: attributes["QueueArn"] ?? "", policy: policy,
                dlqURL: try await sqs.queueURL(arn: policy.deadLetterTargetARN))
        }

        func counts(_ url: String) async throws -> QueueCounts {
            let attributes = try await sqs.getQueueAttributes(
                queueURL: url, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
            return QueueCounts(
                url: url, visible: Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? 0,
                inFlight: Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? 0)
        }
    }

    struct QueueCounts: Encodable {
        var url: String
        var visible: Int
        var inFlight: Int
        enum CodingKeys: String, CodingKey { case url, visible, inFlight = "in_flight" }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Visible and in-flight counts of the queue and its DLQ, the redrive policy, running move tasks.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var queue: QueueOptions

        struct Report: Encodable {
            var queue: QueueCounts
            var redrivePolicy: SQSRedrivePolicy
            var deadLetterQueue: QueueCounts
            var moveTasks: [SQSMessageMoveTask]?
            var moveTasksError: String?
            enum CodingKeys: String, CodingKey {
                case queue, redrivePolicy = "redrive_policy", deadLetterQueue = "dead_letter_queue"
                case moveTasks = "move_tasks", moveTasksError = "move_tasks_error"
            }
        }

        func run() async throws {
            let pair = try await Pair.resolve(global, queue)
            var report = Report(
                queue: try await pair.counts(pair.sourceURL), redrivePolicy: pair.policy,
                deadLetterQueue: try await pair.counts(pair.dlqURL))
            do {
                report.moveTasks = try await pair.sqs.listMessageMoveTasks(sourceARN: pair.dlqARN).filter(\.isRunning)
            } catch {
                // Emulators without move tasks: the counts are still worth showing.
                report.moveTasksError = "\(error)"
            }
            if global.json { return try printJSON(report) }
            for (title, counts) in [("queue", report.queue), ("dead-letter queue", report.deadLetterQueue)] {
                print("\(title): \(counts.url)")
                print("  visible    \(counts.visible)")
                print("  in flight  \(counts.inFlight)")
            }
            print("redrive policy: after \(pair.policy.maxReceiveCount) receives to \(pair.dlqARN)")
            if let error = report.moveTasksError {
                print("move tasks: unknown (\(error))")
            } else {
                print("running move tasks:")
                printTable(
                    ["STATUS", "MOVED", "TO MOVE", "RATE", "STARTED", "HANDLE"],
                    (report.moveTasks ?? []).map { task in
                        [
                            task.status, String(task.messagesMoved), task.messagesToMove.map(String.init) ?? "-",
                            task.maxMessagesPerSecond.map { "\($0)/s" } ?? "-",
                            formatDate(task.startedTimestamp.map { Date(timeIntervalSince1970: Double($0) / 1000) }),
                            task.taskHandle ?? "-",
                        ]
                    })
            }
        }
    }

    struct Peek: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bodies and attributes of up to N messages of the DLQ, left in place and visible again at once.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var queue: QueueOptions
        @Argument(help: "At most this many messages.") var count = 10

        func validate() throws {
            guard count > 0 else { throw ValidationError("N must be at least 1") }
        }

        func run() async throws {
            let pair = try await Pair.resolve(global, queue)
            let messages = try await pair.sqs.peekMessages(queueURL: pair.dlqURL, count: count)
            if global.json { return try printJSON(messages.map(PeekedMessage.init)) }
            if messages.isEmpty { print("(no visible messages)") }
            for message in messages {
                print("message \(message.messageId)")
                for (name, value) in message.attributes.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
                for (name, value) in message.messageAttributes.sorted(by: { $0.key < $1.key }) {
                    print("  attribute \(name) (\(value.dataType)): \(PeekedMessage.Attribute(value).text)")
                }
                print(prettyJSON(message.body).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Move the DLQ's messages back to the queue: SQS's StartMessageMoveTask, else receive, send, delete.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var queue: QueueOptions
        @Option(help: "At most N messages per second, as N/s or N (1…500; default: as fast as SQS moves them).")
        var rate: String?
        @Flag(help: "Wait until the move task has finished, with a progress bar on a terminal.") var wait = false
        @Flag(
            name: .customLong("no-move-task"),
            help: "Copy the messages (receive, send, delete) even where move tasks exist.")
        var noMoveTask = false
        @Option(help: "The copy's journal file (default: under $XDG_STATE_HOME or ~/.local/state, else $TMPDIR).")
        var journal: String?

        func messagesPerSecond() throws -> Int? {
            guard let rate else { return nil }
            let number = rate.hasSuffix("/s") ? String(rate.dropLast(2)) : rate
            guard let value = Int(number), (1...500).contains(value) else {
                throw ValidationError(
                    "--rate must be a number of messages per second from 1 to 500, like 50/s, not \"\(rate)\"")
            }
            return value
        }

        func validate() throws { _ = try messagesPerSecond() }

        func run() async throws {
            let pair = try await Pair.resolve(global, queue)
            if !noMoveTask {
                do {
                    let handle = try await pair.sqs.startMessageMoveTask(
                        sourceARN: pair.dlqARN, destinationARN: pair.sourceARN,
                        maxMessagesPerSecond: try messagesPerSecond())
                    return try await followMoveTask(pair, handle: handle)
                } catch  where SQSClient.moveTasksUnsupported(error) {
                    FileHandle.standardError.write(
                        Data(
                            "intakectl: this endpoint has no message move tasks (\(error)); copying the messages instead\n"
                                .utf8))
                }
            }
            try await copy(pair)
        }

        func followMoveTask(_ pair: Pair, handle: String) async throws {
            var outcome = MoveOutcome(method: "move-task", taskHandle: handle)
            if !wait {
                if global.json { return try printJSON(outcome) }
                print("move task started: \(handle)")
                print("follow it with intakectl sqs dlq status; stop it with intakectl sqs dlq cancel")
                return
            }
            let toMove = try await pair.counts(pair.dlqURL).visible
            while true {
                let tasks = try await pair.sqs.listMessageMoveTasks(sourceARN: pair.dlqARN)
                // A finished task no longer shows its handle: the newest one is it.
                guard let task = tasks.first(where: { $0.taskHandle == handle }) ?? tasks.first else { break }
                ProgressBar(total: max(task.messagesToMove ?? toMove, 1), label: "redrive").update(task.messagesMoved)
                outcome.status = task.status
                outcome.moved = task.messagesMoved
                outcome.failureReason = task.failureReason
                if !task.isRunning { break }
                try await Task.sleep(for: .seconds(1))
            }
            if global.json {
                try printJSON(outcome)
            } else {
                print("move task \(outcome.status ?? "gone"): \(outcome.moved ?? 0) messages moved")
            }
            if let reason = outcome.failureReason {
                FileHandle.standardError.write(Data("intakectl: the move task failed: \(reason)\n".utf8))
                throw ExitCode.failure
            }
        }

        func copy(_ pair: Pair) async throws {
            let journalURL =
                journal.map { URL(fileURLWithPath: $0) }
                ?? SQSMessageCopier.defaultJournal(
                    queueARN: pair.dlqARN, environment: ProcessInfo.processInfo.environment)
            let bar = ProgressBar(total: max(try await pair.counts(pair.dlqURL).visible, 1), label: "redrive")
            let copier = SQSMessageCopier(
                sqs: pair.sqs, from: pair.dlqURL, to: pair.sourceURL, journal: journalURL,
                messagesPerSecond: try messagesPerSecond())
            let report = try await copier.run(progress: { bar.update($0) })
            let left = try await pair.counts(pair.dlqURL)
            var outcome = MoveOutcome(method: "copy", moved: report.moved)
            outcome.copy = report
            outcome.journal = journalURL.path
            outcome.leftInDLQ = left.visible + left.inFlight
            if global.json {
                try printJSON(outcome)
            } else {
                print("moved \(report.moved) messages back to \(pair.sourceURL)")
                if report.finishedFromEarlierRun > 0 {
                    print("deleted \(report.finishedFromEarlierRun) that an earlier, interrupted run had already sent")
                }
                if report.deleteFailures > 0 || outcome.leftInDLQ! > 0 {
                    print(
                        "\(outcome.leftInDLQ!) left in the DLQ (in flight or failed to delete): run again later; the journal \(journalURL.path) keeps them from being sent twice"
                    )
                }
            }
            if !report.possiblyDoubled.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        "intakectl: an earlier run died while sending \(report.possiblyDoubled.count) message(s), sent again now; the queue may hold them twice: \(report.possiblyDoubled.joined(separator: ", "))\n"
                            .utf8))
            }
        }
    }

    /// A peeked message as `--json` shows it; binary attribute values in base64.
    struct PeekedMessage: Encodable {
        struct Attribute: Encodable {
            var dataType: String
            var stringValue: String?
            var binaryValue: String?
            init(_ value: SQSMessageAttribute) {
                dataType = value.dataType
                stringValue = value.stringValue
                binaryValue = value.binaryValue.map { Data($0).base64EncodedString() }
            }
            var text: String { stringValue ?? binaryValue.map { "base64:\($0)" } ?? "" }
            enum CodingKeys: String, CodingKey {
                case dataType = "data_type", stringValue = "string_value", binaryValue = "binary_value"
            }
        }
        var messageId: String
        var body: String
        var attributes: [String: String]
        var messageAttributes: [String: Attribute]
        init(_ message: SQSMessage) {
            messageId = message.messageId
            body = message.body
            attributes = message.attributes
            messageAttributes = message.messageAttributes.mapValues(Attribute.init)
        }
        enum CodingKeys: String, CodingKey {
            case body, attributes, messageId = "message_id", messageAttributes = "message_attributes"
        }
    }

    struct MoveOutcome: Encodable {
        var method: String
        var taskHandle: String?
        var status: String?
        var moved: Int?
        var failureReason: String?
        var copy: SQSMessageCopier.Report?
        var journal: String?
        var leftInDLQ: Int?
        enum CodingKeys: String, CodingKey {
            case method, status, moved, copy, journal, taskHandle = "task_handle", failureReason = "failure_reason"
            case leftInDLQ = "left_in_dlq"
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel the DLQ's running move task; messages already moved stay moved.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var queue: QueueOptions

        func run() async throws {
            let pair = try await Pair.resolve(global, queue)
            let running = try await pair.sqs.listMessageMoveTasks(sourceARN: pair.dlqARN).filter(\.isRunning)
            guard let handle = running.first?.taskHandle else {
                FileHandle.standardError.write(Data("intakectl: no move task is running for \(pair.dlqARN)\n".utf8))
                throw ExitCode.failure
            }
            let moved = try await pair.sqs.cancelMessageMoveTask(taskHandle: handle)
            if global.json {
                return try printJSON(
                    MoveOutcome(method: "move-task", taskHandle: handle, status: "CANCELLING", moved: moved))
            }
            print("cancelled move task \(handle) after \(moved) messages")
        }
    }
}
