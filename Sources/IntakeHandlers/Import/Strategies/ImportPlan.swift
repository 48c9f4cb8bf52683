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
    let makeDecoder: @Sendable (_ job: ImportJob, _ resume: Bool, _ settings: ImportSettings) throws -> any ImportDecoder

    static func csv(_ format: CSVImportFormat) -> ImportPlan {
        ImportPlan(
            handlerName: format.handlerName, loader: TableChunkLoader(table: format.table), entity: nil,
            appendsJobID: true,
            makeDecoder: { job, resume, settings in
                guard resume else {
                    return try CSVImportDecoder(
                        format: format, resume: nil, header: nil, maxRecordBytes: settings.maxRecordBytes)
                }
                guard let columns = job.metadata.columns else {
                    throw PermanentError(
                        "import job \(job.id.uuidString.lowercased()) cannot resume: its metadata lacks the header columns; reprocess the object")
                }
                return try CSVImportDecoder(
                    format: format,
                    resume: CSVParser.ResumePoint(
                        byteOffset: job.lastProcessedByte, nextRowNumber: Int(job.lastProcessedOffset) + 1),
                    header: CSVHeader(columns: columns), maxRecordBytes: settings.maxRecordBytes)
            })
    }

    static func commerce(_ entity: CommerceEntity) -> ImportPlan {
        let loader: any ChunkLoader =
            CommerceReferenceSQL(entity: entity).map { CommerceChunkLoader(sql: $0) } ?? TableChunkLoader(table: entity.table)
        return ImportPlan(
            handlerName: CommerceImportHandler.handlerName, loader: loader, entity: entity, appendsJobID: false,
            makeDecoder: { job, resume, settings in
                CommerceImportDecoder(
                    entity: entity, jobID: job.id,
                    resume: resume
                        ? NDJSONLineSplitter.ResumePoint(
                            byteOffset: job.lastProcessedByte, nextLineNumber: Int(job.lastProcessedOffset) + 1)
                        : nil,
                    maxLineBytes: settings.maxRecordBytes)
            })
    }
}
