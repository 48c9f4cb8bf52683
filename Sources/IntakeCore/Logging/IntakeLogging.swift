import Foundation
import Logging

/// Process-wide logging set-up for the executables. Libraries take a `Logger`; only `main` calls
/// ``bootstrap(environment:output:metadataProvider:)``.
public enum IntakeLogging {
    /// Format and level as the environment asks for them.
    public struct Settings: Sendable, Equatable {
        public var format: LogFormat
        public var level: Logger.Level
        /// Values that were set but not understood, to be logged once logging works.
        public var problems: [String]
    }

    /// `INTAKE_LOG_FORMAT` (`json` default, or `text`) and `INTAKE_LOG_LEVEL` (`trace`, `debug`,
    /// `info` default, `notice`, `warning`, `error`, `critical`; case-insensitive).
    public static func settings(environment: [String: String]) -> Settings {
        var settings = Settings(format: .json, level: .info, problems: [])
        if let text = environment["INTAKE_LOG_FORMAT"], !text.isEmpty {
            if let format = LogFormat(rawValue: text.lowercased()) {
                settings.format = format
            } else {
                settings.problems.append("INTAKE_LOG_FORMAT=\(text) is not json or text; using json")
            }
        }
        if let text = environment["INTAKE_LOG_LEVEL"], !text.isEmpty {
            if let level = Self.level(named: text) {
                settings.level = level
            } else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                settings.problems.append("INTAKE_LOG_LEVEL=\(text) is not one of \(names); using info")
            }
        }
        return settings
    }

    static func level(named name: String) -> Logger.Level? {
        let lowered = name.lowercased()
        if lowered == "warn" { return .warning }
        return Logger.Level(rawValue: lowered)
    }

    private static let bootstrapped = NSLock()
    nonisolated(unsafe) private static var didBootstrap = false

    /// Installs ``IntakeLogHandler`` for every `Logger` in the process. Safe to call more than
    /// once (later calls do nothing), unlike `LoggingSystem.bootstrap`.
    @discardableResult
    public static func bootstrap(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        output: LogOutput = .standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Settings {
        let settings = Self.settings(environment: environment)
        Self.bootstrapped.lock()
        let first = !Self.didBootstrap
        Self.didBootstrap = true
        Self.bootstrapped.unlock()
        guard first else { return settings }
        LoggingSystem.bootstrap(
            { label, provider in
                IntakeLogHandler(
                    label: label, format: settings.format, level: settings.level, output: output,
                    metadataProvider: provider
                )
            },
            metadataProvider: metadataProvider
        )
        if !settings.problems.isEmpty {
            let logger = Logger(label: "intake.logging")
            for problem in settings.problems { logger.warning("\(problem)") }
        }
        return settings
    }
}
