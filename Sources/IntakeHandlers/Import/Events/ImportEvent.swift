import Foundation
import IntakePostgres

/// The payload of the `import.completed` and `import.failed` jobs, enqueued in the import's
/// final transaction, and the `data` of the notifications subscribers receive.
public struct ImportEvent: Sendable, Codable, Equatable {
    public static let completedKind = "import.completed"
    public static let failedKind = "import.failed"

    public var event: String
    /// Lower-case uuid.
    public var importJobID: String
    public var status: ImportJobStatus
    public var handler: String
    public var sourceIdentifier: String
    public var bucket: String
    public var key: String
    public var processedRecords: Int64
    public var successfulRecords: Int64
    public var failedRecords: Int64
    public var fileSizeBytes: Int64?
    public var checksumSHA256: String?
    public var errorMessage: String?
    /// `customers`, `orders`, … for `ndjson.commerce`.
    public var entity: String?

    enum CodingKeys: String, CodingKey {
        case event, status, handler, bucket, key, entity
        case importJobID = "import_job_id"
        case sourceIdentifier = "source_identifier"
        case processedRecords = "processed_records"
        case successfulRecords = "successful_records"
        case failedRecords = "failed_records"
        case fileSizeBytes = "file_size_bytes"
        case checksumSHA256 = "checksum_sha256"
        case errorMessage = "error_message"
    }

    public init(
        event: String, importJobID: UUID, status: ImportJobStatus, handler: String, sourceIdentifier: String,
        bucket: String, key: String, processedRecords: Int64, successfulRecords: Int64, failedRecords: Int64,
        fileSizeBytes: Int64? = nil, checksumSHA256: String? = nil, errorMessage: String? = nil, entity: String? = nil
    ) {
        self.event = event
        self.importJobID = importJobID.uuidString.lowercased()
        self.status = status
        self.handler = handler
        self.sourceIdentifier = sourceIdentifier
        self.bucket = bucket
        self.key = key
        self.processedRecords = processedRecords
        self.successfulRecords = successfulRecords
        self.failedRecords = failedRecords
        self.fileSizeBytes = fileSizeBytes
        self.checksumSHA256 = checksumSHA256
        self.errorMessage = errorMessage
        self.entity = entity
    }

    public var jobID: UUID? { UUID(uuidString: importJobID) }

    public func json() throws -> PostgresJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return PostgresJSON(text: String(decoding: try encoder.encode(self), as: UTF8.self))
    }

    public static func decode(_ body: [UInt8]) throws -> ImportEvent {
        try JSONDecoder().decode(ImportEvent.self, from: Data(body))
    }
}
