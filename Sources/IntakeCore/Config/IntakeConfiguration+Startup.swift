import Foundation
import IntakeHTTP
import Logging

extension IntakeConfiguration {
    /// Exit status for a configuration the process cannot start with (`EX_CONFIG`).
    public static let invalidConfigurationExitCode: Int32 = 78

    /// For `main`: finds the file (``path(arguments:environment:)``), loads it for `process`, and
    /// on any problem logs every issue with its key path and exits with status 78.
    public static func loadOrExit(
        for process: IntakeProcess,
        knownHandlers: Set<String>? = nil,
        logger: Logger,
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> IntakeConfiguration {
        let path = Self.path(arguments: arguments, environment: environment)
        do {
            let configuration = try Self.load(
                path: path, for: process, knownHandlers: knownHandlers, environment: environment
            )
            logger.info(
                "configuration loaded",
                metadata: ["config.file": "\(path)", "database.url": "\(configuration.database.redactedURL)"]
            )
            return configuration
        } catch {
            logger.critical(
                "\(error.description)",
                metadata: [
                    "config.file": "\(path)",
                    "config.problems": .array(error.issues.map { .string($0.description) }),
                ]
            )
            exit(Self.invalidConfigurationExitCode)
        }
    }
}

extension HTTPServer.Configuration {
    /// The receiver's listener as `receiver:` describes it.
    public init(receiver: ReceiverSettings) {
        self.init(
            host: receiver.listen.host,
            port: receiver.listen.port,
            eventLoops: receiver.eventLoops,
            maxConnections: receiver.maxConnections,
            idleTimeout: .seconds(receiver.idleTimeoutSeconds),
            requestReadTimeout: .seconds(receiver.idleTimeoutSeconds),
            maxBodyBytes: receiver.maxBodyBytes
        )
    }
}
