import Foundation
import IntakePostgres

/// The life cycle of an `intake.import_jobs` row (SPEC §3).
public enum ImportJobStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case inProgress = "in_progress"
    case completed
    case partiallyCompleted = "partially_completed"
    case failed
    case skipped

    /// A job in a final state is not run again for the same source identifier.
    public var isFinal: Bool {
        switch self {
        case .completed, .partiallyCompleted, .failed, .skipped: return true
        case .pending, .inProgress: return false
        }
    }

    /// The status a finished import ends in, from its counts.
    public static func final(successful: Int64, failed: Int64) -> ImportJobStatus {
        if failed == 0 { return .completed }
        return successful == 0 ? .failed : .partiallyCompleted
    }
}

/// The idempotency key of an import: `s3://bucket/key#version` where the version is the
/// object's version id, else its ETag (quotes removed). An operator's reprocess gets its own
/// identifier, `…#version@reprocess:JOB`, so a completed object is imported afresh while a
/// retried reprocess job resumes its own import rather than starting a third.
public struct ImportSourceIdentifier: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String
    public var version: String
    public var reprocessTag: String?

    public init(bucket: String, key: String, version: String, reprocessTag: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.version = version
        self.reprocessTag = reprocessTag
    }

    /// Version id when the bucket is versioned, else the ETag without its quotes.
    public static func version(versionId: String?, eTag: String?) -> String? {
        if let versionId, !versionId.isEmpty, versionId != "null" { return versionId }
        guard let eTag else { return nil }
        let trimmed = eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        return trimmed.isEmpty ? nil : trimmed
    }

    public var description: String {
        var text = "s3://\(bucket)/\(key)#\(version)"
        if let reprocessTag { text += "@reprocess:\(reprocessTag)" }
        return text
    }
}

/// An import job row as the runner needs it.
public struct ImportJob: Sendable {
    public var id: UUID
    public var status: ImportJobStatus
    public var processedRecords: Int64
    public var successfulRecords: Int64
    public var failedRecords: Int64
    public var lastProcessedOffset: Int64
    public var lastProcessedByte: Int64
    public var fileSizeBytes: Int64?
    public var metadata: ImportJobMetadata

    static let columns = """
        id, status, processed_records, successful_records, failed_records, last_processed_offset,
        last_processed_byte, file_size_bytes, metadata::text
        """

    init(row: PostgresRow) throws {
        id = try row.decode(UUID.self, at: 0)
        let statusText = try row.decode(String.self, at: 1)
        guard let status = ImportJobStatus(rawValue: statusText) else {
            throw PostgresError(kind: .client, message: "import job \(id) has unknown status \(statusText)")
        }
        self.status = status
        processedRecords = try row.decode(Int64.self, at: 2)
        successfulRecords = try row.decode(Int64.self, at: 3)
        failedRecords = try row.decode(Int64.self, at: 4)
        lastProcessedOffset = try row.decode(Int64.self, at: 5)
        lastProcessedByte = try row.decode(Int64.self, at: 6)
        fileSizeBytes = try row.decode(Int64?.self, at: 7)
        metadata = (try? JSONDecoder().decode(ImportJobMetadata.self, from: Data(try row.decode(String.self, at: 8).utf8)))
            ?? ImportJobMetadata()
    }

    /// Counts and offsets the runner carries from chunk to chunk.
    var progress: ImportProgress {
        ImportProgress(
            processed: processedRecords, successful: successfulRecords, failed: failedRecords,
            lastRow: lastProcessedOffset, lastByte: lastProcessedByte)
    }
}

/// What the runner keeps in `import_jobs.metadata` (other keys, written by the data-quality
/// check or by operators, are left as they are: updates merge with `||`).
public struct ImportJobMetadata: Sendable, Codable, Equatable {
    public var bucket: String?
    public var key: String?
    public var etag: String?
    public var versionId: String?
    /// The header as the file had it: a resumed import starts after it and rebuilds its
    /// column mapping from here.
    public var columns: [String]?
    public var drift: SchemaDrift?
    public var archivedTo: String?
    public var reprocessOf: String?
    public var entity: String?
    public var stagedRecords: Int64?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case bucket, key, etag, columns, drift, entity
        case versionId = "version_id"
        case archivedTo = "archived_to"
        case reprocessOf = "reprocess_of"
        case stagedRecords = "staged_records"
    }

    func json() -> PostgresJSON {
        (try? PostgresJSON(encoding: self)) ?? PostgresJSON(text: "{}")
    }
}

/// Running counts of one import; what each chunk commits.
public struct ImportProgress: Sendable, Equatable {
    public var processed: Int64 = 0
    public var successful: Int64 = 0
    public var failed: Int64 = 0
    /// Last data row (or NDJSON line) committed: `last_processed_offset`.
    public var lastRow: Int64 = 0
    /// File offset just past it: `last_processed_byte`, where a ranged resume starts.
    public var lastByte: Int64 = 0
    /// Valid rows parked in staging (commerce), also counted in `successful`.
    public var staged: Int64 = 0
}
