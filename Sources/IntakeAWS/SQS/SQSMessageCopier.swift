import Foundation

/// Moves the messages of one queue to another by receive, send, then delete: the redrive for
/// endpoints without message move tasks (docs/DEPLOYMENT.md, "The SQS dead-letter queue").
///
/// A message leaves `from` only after SendMessage to `to` succeeded, so none is lost. Every send
/// is written to a journal file before ("sending ID") and after ("sent ID") it, flushed to disk,
/// so a run that died between send and delete is finished by the next one with the same
/// journal: a message the journal says was sent is deleted, not sent again. One case remains:
/// the process died while SendMessage was in flight ("sending" without "sent"). SQS may or may
/// not have taken that message; it is sent again, since losing it would be worse, and its id
/// is reported in `possiblyDoubled`.
public struct SQSMessageCopier: Sendable {
    public struct Report: Sendable, Encodable {
        /// Sent to the destination and deleted from the source by this run.
        public var moved = 0
        /// Sent by an earlier run that stopped before deleting them: deleted now, not sent again.
        public var finishedFromEarlierRun = 0
        /// Source message ids sent again after an earlier run died during their SendMessage.
        public var possiblyDoubled: [String] = []
        /// Sent, but the delete failed (the message was hidden too long): the next receive or run deletes it.
        public var deleteFailures = 0

        enum CodingKeys: String, CodingKey {
            case moved, finishedFromEarlierRun = "finished_from_earlier_run", possiblyDoubled = "possibly_doubled"
            case deleteFailures = "delete_failures"
        }
    }

    let sqs: SQSClient
    let from: String
    let to: String
    let journal: URL
    let visibilitySeconds: Int
    let messagesPerSecond: Int?
    let receiveWaitSeconds: Int
    /// Runs after each successful send, before the delete. Tests throw here to stop a run the
    /// way a crash between send and delete would.
    let afterSend: @Sendable (SQSMessage) async throws -> Void

    /// - Parameters:
    ///   - visibilitySeconds: how long a received message stays hidden while it is copied; if
    ///     the run dies, it is back in `from` after this long.
    ///   - messagesPerSecond: at most this many sends per second (nil: as fast as SQS answers).
    public init(
        sqs: SQSClient, from: String, to: String, journal: URL, visibilitySeconds: Int = 60,
        messagesPerSecond: Int? = nil,
        receiveWaitSeconds: Int = 2, afterSend: @escaping @Sendable (SQSMessage) async throws -> Void = { _ in }
    ) {
        self.sqs = sqs
        self.from = from
        self.to = to
        self.journal = journal
        self.visibilitySeconds = visibilitySeconds
        self.messagesPerSecond = messagesPerSecond
        self.receiveWaitSeconds = receiveWaitSeconds
        self.afterSend = afterSend
    }

    /// Copies until a long poll of `from` comes back empty. `progress` gets the number of
    /// messages handled so far. The journal is removed once `from` holds no message at all.
    public func run(progress: @Sendable (Int) -> Void = { _ in }) async throws -> Report {
        let log = try RedriveJournal(url: journal)
        var report = Report()
        var sent = log.sent
        let interrupted = log.sending
        let fifo = to.hasSuffix(".fifo")
        let started = ContinuousClock.now
        var sends = 0
        while true {
            let messages = try await sqs.receiveMessages(
                queueURL: from, maxMessages: 10, waitSeconds: receiveWaitSeconds, visibilityTimeout: visibilitySeconds,
                attributeNames: ["All"], messageAttributeNames: ["All"])
            if messages.isEmpty { break }
            for message in messages {
                if sent.contains(message.messageId) {
                    report.finishedFromEarlierRun += 1
                } else {
                    if let messagesPerSecond, messagesPerSecond > 0 {
                        try await Task.sleep(until: started + .seconds(Double(sends) / Double(messagesPerSecond)))
                    }
                    try log.append("sending", message.messageId)
                    do {
                        try await sqs.sendMessage(
                            queueURL: to, body: message.body, messageAttributes: message.messageAttributes,
                            messageGroupId: fifo ? message.attributes["MessageGroupId"] : nil,
                            messageDeduplicationId: fifo ? message.messageId : nil)
                    } catch {
                        // A refusal (4xx) means SQS did not take it; anything else may have.
                        if let aws = error as? AWSError, let status = aws.status, status < 500 {
                            try? log.append("unsent", message.messageId)
                        }
                        // Visible again at once for the next run, instead of after the timeout.
                        try? await sqs.changeMessageVisibility(
                            queueURL: from, receiptHandle: message.receiptHandle, visibilityTimeout: 0)
                        throw error
                    }
                    try log.append("sent", message.messageId)
                    sent.insert(message.messageId)
                    sends += 1
                    if interrupted.contains(message.messageId) { report.possiblyDoubled.append(message.messageId) }
                    try await afterSend(message)
                    report.moved += 1
                }
                do {
                    try await sqs.deleteMessage(queueURL: from, receiptHandle: message.receiptHandle)
                } catch {
                    report.deleteFailures += 1
                }
                progress(report.moved + report.finishedFromEarlierRun)
            }
        }
        let left = try await sqs.getQueueAttributes(
            queueURL: from, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        if left.values.allSatisfy({ $0 == "0" }) && report.possiblyDoubled.isEmpty { log.remove() }
        return report
    }

    /// Where `sqs dlq redrive` keeps the journal of a queue unless told otherwise:
    /// `$XDG_STATE_HOME/intake/sqs-redrive/`, else `~/.local/state/intake/sqs-redrive/`, else
    /// (no writable home, as in the container image) `$TMPDIR/intake-sqs-redrive/`.
    public static func defaultJournal(queueARN: String, environment: [String: String]) -> URL {
        let file = queueARN.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" } + ".journal"
        var candidates: [String] = []
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            candidates.append(state + "/intake/sqs-redrive")
        }
        if let home = environment["HOME"], !home.isEmpty {
            candidates.append(home + "/.local/state/intake/sqs-redrive")
        }
        candidates.append((environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/intake-sqs-redrive")
        for directory in candidates {
            if (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
                FileManager.default.isWritableFile(atPath: directory)
            {
                return URL(fileURLWithPath: directory).appendingPathComponent(String(file))
            }
        }
        return URL(fileURLWithPath: candidates.last!).appendingPathComponent(String(file))
    }
}

/// Append-only lines `sending ID`, `sent ID`, `unsent ID`, each flushed to disk before the
/// step it records goes on.
struct RedriveJournal {
    let url: URL
    let handle: FileHandle
    /// Ids whose send succeeded.
    let sent: Set<String>
    /// Ids whose send started and has no outcome: the run died during it.
    let sending: Set<String>

    init(url: URL) throws {
        self.url = url
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !manager.fileExists(atPath: url.path) { _ = manager.createFile(atPath: url.path, contents: nil) }
            let text = try String(contentsOf: url, encoding: .utf8)
            var sent = Set<String>()
            var sending = Set<String>()
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "sending": sending.insert(parts[1])
                case "sent": sent.insert(parts[1]); sending.remove(parts[1])
                case "unsent": sending.remove(parts[1])
                default: continue
                }
            }
            self.sent = sent
            self.sending = sending
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw AWSError(
                kind: .invalidRequest,
                message: "cannot use the redrive journal \(url.path): \(error) (name a writable file with --journal)")
        }
    }

    func append(_ step: String, _ id: String) throws {
        try handle.write(contentsOf: Data("\(step) \(id)\n".utf8))
        try handle.synchronize()
    }

    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}
