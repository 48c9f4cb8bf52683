import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers

/// intakectl's access to SQS: re-sending dead letters (`dlq replay`) and the queue's counts
/// (`status`). Region, endpoint and queue come from the configuration file when one is found
/// (`INTAKE_CONFIG`, else `./intake.yaml`), else from the environment (`AWS_*`,
/// `INTAKE_SQS_QUEUE_URL`); credentials always from the environment.
enum SQSReplay {
    /// The configuration file, when there is one that loads; a broken one is reported once on
    /// stderr and then ignored in favour of the environment.
    static let configuration: IntakeConfiguration? = {
        let path = IntakeConfiguration.path(arguments: [])
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try IntakeConfiguration.load(path: path, for: .control)
        } catch {
            warn("ignoring \(path) for SQS settings: \(error)")
            return nil
        }
    }()

    static let clients: Result<AWSClients, any Error> = Result {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let settings =
            configuration?.aws
            ?? AWSSettings(
                region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1",
                endpoint: value("AWS_ENDPOINT_URL"), sqsEndpoint: value("AWS_ENDPOINT_URL_SQS"),
                s3Endpoint: value("AWS_ENDPOINT_URL_S3"))
        // An operator's command: answer within seconds rather than retry for long.
        return try AWSClients(
            settings: settings, environment: environment, maxTransfers: 4, requestTimeout: .seconds(15),
            retry: IntakeAWS.RetryPolicy(maxAttempts: 3, base: .milliseconds(200), cap: .seconds(2)))
    }

    /// The queue `status` reports on: `INTAKE_SQS_QUEUE_URL`, else `sqs.queue_url`.
    static var queueURL: String? {
        if let url = ProcessInfo.processInfo.environment["INTAKE_SQS_QUEUE_URL"], !url.isEmpty { return url }
        return configuration?.sqs?.queueURL
    }

    /// Re-sends a dead letter's body and string attributes to its queue; nil (sqs letters then
    /// report "SQS is not configured") when no client can be built, with the reason on stderr.
    static func resender() throws -> SQSResend? {
        switch clients {
        case .success(let clients):
            return { queueURL, body, attributes in
                try await clients.sqs.sendMessage(
                    queueURL: queueURL, body: body, messageAttributes: attributes.mapValues { .string($0) })
            }
        case .failure(let error):
            reportOnce(error)
            return nil
        }
    }

    /// The `SQS` section of `status`: visible, in flight and delayed messages, or the error.
    static func queueStatus() async -> [String: String]? {
        guard let queueURL else { return nil }
        var lines = ["queue_url": queueURL]
        do {
            let attributes = try await clients.get().sqs.getQueueAttributes(
                queueURL: queueURL,
                names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])
            lines["visible"] = attributes["ApproximateNumberOfMessages"] ?? "?"
            lines["in_flight"] = attributes["ApproximateNumberOfMessagesNotVisible"] ?? "?"
            lines["delayed"] = attributes["ApproximateNumberOfMessagesDelayed"] ?? "?"
        } catch {
            lines["error"] = "\(error)"
        }
        return lines
    }

    private static let reported = ReportedOnce()

    private static func reportOnce(_ error: any Error) {
        if reported.first() { warn("cannot reach SQS, sqs dead letters are not replayed: \(error)") }
    }

    private static func warn(_ text: String) {
        FileHandle.standardError.write(Data("intakectl: \(text)\n".utf8))
    }
}

private final class ReportedOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    /// True the first time only.
    func first() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}
