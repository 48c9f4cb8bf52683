import Foundation
import IntakeCore

/// What one S3 import strategy gives the shared runner: how to decode the file and how to
/// load its chunks.
struct ImportPlan: Sendable {
    let handlerName: String
    let loader: any ChunkLoader
    /// Commerce files say which entity they hold.
    let entity: CommerceEntity?
    /// Valid rows end with `import_job_id` added by the COPY buffer (CSV); commerce decoders
    /// write it themselves.
    let appendsJobID: Bool
    /// A decoder for `job`: from the file's start, or from its last committed chunk.
    let makeDecoder: @Sendable (_ job: ImportJob, _ resume: Bool) throws -> any ImportDecoder

    static func csv(_ format: CSVImportFormat) -> ImportPlan {
        ImportPlan(
            handlerName: format.handlerName, loader: TableChunkLoader(table: format.table), entity: nil,
            appendsJobID: true,
            makeDecoder: { job, resume in
                guard resume else { return try CSVImportDecoder(format: format, resume: nil, header: nil) }
                guard let columns = job.metadata.columns else {
                    throw PermanentError(
                        "import job \(job.id.uuidString.lowercased()) cannot resume: its metadata lacks the header columns; reprocess the object")
                }
                return try CSVImportDecoder(
                    format: format,
                    resume: CSVParser.ResumePoint(
                        byteOffset: job.lastProcessedByte, nextRowNumber: Int(job.lastProcessedOffset) + 1),
                    header: CSVHeader(columns: columns))
            })
    }

    static func commerce(_ entity: CommerceEntity) -> ImportPlan {
        let loader: any ChunkLoader =
            CommerceReferenceSQL(entity: entity).map { CommerceChunkLoader(sql: $0) } ?? TableChunkLoader(table: entity.table)
        return ImportPlan(
            handlerName: CommerceImportHandler.handlerName, loader: loader, entity: entity, appendsJobID: false,
            makeDecoder: { job, resume in
                CommerceImportDecoder(
                    entity: entity, jobID: job.id,
                    resume: resume
                        ? NDJSONLineSplitter.ResumePoint(
                            byteOffset: job.lastProcessedByte, nextLineNumber: Int(job.lastProcessedOffset) + 1)
                        : nil)
            })
    }
}

/// Knobs of the import runner.
public struct ImportSettings: Sendable {
    /// Rows per chunk transaction (SPEC §5 default 5,000).
    public var chunkRows: Int
    /// Bytes of GetObject body that may wait in memory for the parser.
    public var bodyBufferBytes: Int

    public init(chunkRows: Int = 5_000, bodyBufferBytes: Int = 1 << 20) {
        self.chunkRows = max(1, chunkRows)
        self.bodyBufferBytes = bodyBufferBytes
    }

    /// Defaults, with `INTAKE_IMPORT_CHUNK_ROWS` read from the environment (benchmarks and
    /// tests use smaller chunks to watch progress).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ImportSettings {
        var settings = ImportSettings()
        if let text = environment["INTAKE_IMPORT_CHUNK_ROWS"], let rows = Int(text), rows > 0 { settings.chunkRows = rows }
        return settings
    }
}
