import Foundation
import Logging

/// Knobs of the import runner.
public struct ImportSettings: Sendable {
    /// Rows per chunk transaction (SPEC §5 default 5,000).
    public var chunkRows: Int
    /// Bytes of GetObject body that may wait in memory for the parser.
    public var bodyBufferBytes: Int
    /// Longest CSV record or NDJSON line; a longer one is one invalid row (`too_long`) and the
    /// import goes on (docs/ARCHITECTURE.md, "The path of a message").
    public var maxRecordBytes: Int

    public static let defaultMaxRecordBytes = 1 << 20

    public init(chunkRows: Int = 5_000, bodyBufferBytes: Int = 1 << 20, maxRecordBytes: Int = defaultMaxRecordBytes) {
        self.chunkRows = max(1, chunkRows)
        self.bodyBufferBytes = bodyBufferBytes
        self.maxRecordBytes = max(1, maxRecordBytes)
    }

    /// The environment variables read, and where each goes.
    static var variables: [(name: String, key: WritableKeyPath<ImportSettings, Int>)] {
        [
            // Benchmarks and tests use smaller chunks to watch progress.
            ("INTAKE_IMPORT_CHUNK_ROWS", \.chunkRows),
            ("INTAKE_IMPORT_MAX_RECORD_BYTES", \.maxRecordBytes),
        ]
    }

    /// Defaults, with `INTAKE_IMPORT_CHUNK_ROWS` and `INTAKE_IMPORT_MAX_RECORD_BYTES` from the
    /// environment. A value that is not a positive whole number is left out here; the workers
    /// refuse to start with it (`requireValidEnvironment`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ImportSettings {
        var settings = ImportSettings()
        for (name, key) in variables {
            if let text = environment[name], let value = Int(text), value > 0 { settings[keyPath: key] = value }
        }
        return settings
    }

    /// What is wrong with the `INTAKE_IMPORT_*` variables, or nil.
    public static func environmentProblem(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for (name, _) in variables {
            guard let text = environment[name] else { continue }
            if let value = Int(text), value > 0 { continue }
            return "\(name) must be a positive whole number, got \"\(text)\""
        }
        return nil
    }

    /// For the mains of the workers that run imports: a wrong `INTAKE_IMPORT_*` value stops the
    /// process at start-up (exit 2) rather than being replaced by a default.
    public static func requireValidEnvironment(program: String, logger: Logger) {
        guard let problem = environmentProblem() else { return }
        logger.critical("\(problem)")
        FileHandle.standardError.write(Data("\(program): \(problem)\n".utf8))
        exit(2)
    }
}
