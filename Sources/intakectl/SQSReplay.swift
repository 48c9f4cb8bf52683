import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakeRuntime
import IntakeSupport

/// intakectl's access to SQS: re-sending dead letters (`dlq replay`) and the queue's counts
/// (`status`). Region, endpoint and queue come from the configuration file when there is one
/// (`--config`, `INTAKE_CONFIG`, `./intake.yaml`), else from the environment (`AWS_*`,
/// `INTAKE_SQS_QUEUE_URL`); credentials from the AWS SDKs' chain of sources (`CredentialChain`).
enum SQSReplay {
    static func clients(configuration: IntakeConfiguration?) throws -> AWSClients {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let settings =
            configuration?.aws
            ?? AWSSettings(
                region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION"),
                endpoint: value("AWS_ENDPOINT_URL"), sqsEndpoint: value("AWS_ENDPOINT_URL_SQS"),
                s3Endpoint: value("AWS_ENDPOINT_URL_S3"))
        // An operator's command: answer within seconds rather than retry for long.
        return try AWSClients(
            settings: settings, environment: environment, maxTransfers: 4, requestTimeout: .seconds(15),
            retry: RetryPolicy(maxAttempts: 3, base: .milliseconds(200), cap: .seconds(2)))
    }

    /// Re-sends a dead letter's body and string attributes to its queue. nil when no client
    /// can be built (sqs letters then report "SQS is not configured"), with the reason on stderr.
    static func resender(configuration: IntakeConfiguration?) -> SQSResend? {
        do {
            let sqs = try clients(configuration: configuration).sqs
            return { queueURL, body, attributes in
                try await sqs.sendMessage(queueURL: queueURL, body: body, messageAttributes: attributes.mapValues { .string($0) })
            }
        } catch {
            FileHandle.standardError.write(Data("intakectl: cannot reach SQS, sqs dead letters are not replayed: \(error)\n".utf8))
            return nil
        }
    }

    /// The queue the SQS worker consumes: `INTAKE_SQS_QUEUE_URL`, else `sqs.queue_url`.
    static func queueURL(configuration: IntakeConfiguration?) -> String? {
        let fromEnvironment = ProcessInfo.processInfo.environment["INTAKE_SQS_QUEUE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        return fromEnvironment ?? configuration?.sqs?.queueURL
    }

    /// The `SQS` section of `status` (visible, in flight and delayed messages, or the error),
    /// for the queue in `INTAKE_SQS_QUEUE_URL`, else `sqs.queue_url`; nil when neither is set.
    static func queueStatus(configuration: IntakeConfiguration?) async -> [String: String]? {
        guard let queueURL = queueURL(configuration: configuration) else { return nil }
        var lines = ["queue_url": queueURL]
        do {
            let attributes = try await clients(configuration: configuration).sqs.getQueueAttributes(
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
}
