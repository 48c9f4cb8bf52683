import Foundation
import IntakeAWS
import IntakeCore
import IntakeCrypto
import IntakePostgres
import Logging

/// One attempt at one import job, holding its connection (and advisory lock), its running
/// counts and the object's hash. Lives for a single `S3ImportRunner.run`.
final class ImportRun {
    struct Finalization: Sendable {
        /// nil: decided from the counts (completed, partially completed, or failed when every
        /// row failed).
        var status: ImportJobStatus?
        var checksum: String?
        var fileSize: Int64?
        var message: String?
    }

    let plan: ImportPlan
    let settings: ImportSettings
    let identifier: ImportSourceIdentifier
    let routeLabel: String
    let connection: PostgresConnection
    var metadata: ImportJobMetadata
    var logger: Logger
    private(set) var job: ImportJob
    private var progress: ImportProgress
    private var path = LoadPath.direct
    private var fileSize: Int64?
    private let hasher = SHA256()
    /// The full chunk being committed while the next one is decoded.
    private var inFlight: Task<(LoadPath, ImportProgress), any Error>?

    init(
        plan: ImportPlan, settings: ImportSettings, job: ImportJob, identifier: ImportSourceIdentifier, routeLabel: String,
        metadata: ImportJobMetadata, connection: PostgresConnection, logger: Logger
    ) {
        self.plan = plan
        self.settings = settings
        self.job = job
        self.identifier = identifier
        self.routeLabel = routeLabel
        self.metadata = metadata
        self.connection = connection
        self.logger = logger
        progress = job.progress
        progress.staged = job.metadata.stagedRecords ?? 0
        fileSize = job.fileSizeBytes
    }

    /// The object was gone before anything was read.
    func finishGone() async throws -> ImportJob {
        logger.warning("object no longer exists; import skipped")
        try await commit(emptyChunk(), final: Finalization(status: .skipped, message: "the object no longer exists (404)"))
        return try await reload()
    }

    func execute(key: String, rawKey: String?, versionId: String?, size: Int64?, access: S3ObjectAccess) async throws
        -> ImportJob
    {
        let resumeByte = job.lastProcessedByte
        let resuming = resumeByte > 0
        fileSize = fileSize ?? size
        if resuming {
            guard let prefix = try await access.open(key: key, rawKey: nil, versionId: versionId, fromByte: 0, lastByte: resumeByte - 1)
            else { return try await finishGone() }
            if let changed = superseded(by: prefix.response.eTag) { return try await finishSuperseded(changed) }
            for try await piece in prefix.response.body { piece.withUnsafeBytes { hasher.update($0) } }
        }
        let parser = try plan.makeDecoder(job, resuming, settings)
        let decoder = resuming ? parser : TextInputCheck(parser)
        var chunk = emptyChunk()

        var body: HTTPBody?
        let everythingCommitted = resuming && fileSize.map { resumeByte >= $0 } == true
        if !everythingCommitted {
            guard
                let opened = try await access.open(
                    key: key, rawKey: resuming ? nil : rawKey, versionId: versionId, fromByte: resumeByte)
            else { return try await finishGone() }
            if let changed = superseded(by: opened.response.eTag) { return try await finishSuperseded(changed) }
            fileSize = opened.response.objectSize ?? fileSize
            metadata.key = opened.key
            body = opened.response.body
        }
        if resuming {
            logger.info(
                "resuming import at byte \(resumeByte)",
                metadata: ["import.resume_byte": "\(resumeByte)", "import.resume_row": "\(job.lastProcessedOffset + 1)"])
        } else {
            logger.info("import started", metadata: ["import.size": "\(fileSize ?? -1)"])
        }
        let started = metadata
        let startedSize = fileSize
        let jobID = job.id
        try await connection.withTransaction {
            try ImportJobStore.markStarted(jobID, metadata: started, fileSize: startedSize, on: $0)
        }

        do {
            if let body {
                for try await piece in body {
                    piece.withUnsafeBytes { bytes in
                        hasher.update(bytes)
                        decoder.append(bytes)
                    }
                    try await drain(decoder, &chunk)
                }
            }
            decoder.finish()
            try await drain(decoder, &chunk)
            guard decoder.hasHeader else { throw ImportHeaderError.empty }
        } catch let error as ImportHeaderError {
            logger.error("unusable header; import failed", metadata: ["error": "\(error)"])
            try await commit(emptyChunk(), final: Finalization(status: .failed, fileSize: fileSize, message: "unusable header: \(error)"))
            return try await reload()
        } catch let error as NotTextInput {
            return try await failMidFile(chunk, reason: error.description)
        } catch {
            // The connection goes back to the pool after this: nothing may still run on it.
            if let task = inFlight {
                inFlight = nil
                _ = try? await task.value
            }
            throw error
        }
        let checksum = hasher.finalize().hexString
        try await commit(chunk, final: Finalization(checksum: checksum, fileSize: fileSize))
        let finished = try await reload()
        logger.info(
            "import finished",
            metadata: [
                "import.status": "\(finished.status.rawValue)", "import.processed": "\(finished.processedRecords)",
                "import.failed": "\(finished.failedRecords)", "import.path": "\(path.rawValue)",
            ])
        return finished
    }

    /// Decodes what the input holds, committing every full chunk.
    private func drain(_ decoder: any ImportDecoder, _ chunk: inout ImportChunk) async throws {
        while true {
            switch try decoder.next(into: &chunk) {
            case .needMore:
                return
            case .header(let header):
                try await record(header: header)
                try decoder.accept(header: header)
            case .record:
                if chunk.records >= settings.chunkRows {
                    try await commitInBackground(chunk)
                    chunk.reset()
                }
            }
        }
    }

    /// `schema_history` and the job's metadata; drift is a warning, not a failure.
    private func record(header: CSVHeader) async throws {
        let (route, identifier, jobID, columns) = (routeLabel, identifier, job.id, header.columns)
        let drift = try await connection.withTransaction { connection in
            let drift = try ImportJobStore.recordSchema(
                route: route, identifier: identifier, jobID: jobID, columns: columns, on: connection)
            var patch = ImportJobMetadata()
            patch.columns = columns
            patch.drift = drift.flatMap { $0.hasDrift ? $0 : nil }
            try ImportJobStore.mergeMetadata(jobID, patch.json(), on: connection)
            return drift
        }
        metadata.columns = columns
        if let drift, drift.hasDrift {
            logger.warning(
                "header differs from the previous file of this route",
                metadata: ["import.route": "\(route)", "import.drift": "\(drift.summary)"])
        }
    }

    /// Commits `chunk` with the job's progress; with `final`, also the job's end state and
    /// its domain event — all in one transaction. Waits for a chunk still committing first.
    private func commit(_ chunk: ImportChunk, final: Finalization?) async throws {
        try await settleInFlight()
        let (nextPath, next) = try await commitWork(chunk, final: final)()
        apply(nextPath, next)
    }

    /// Hands a full chunk to the connection's own thread and returns, so the next chunk is
    /// parsed and validated while this one is copied and committed: the worker and PostgreSQL
    /// work at once instead of taking turns. Commits stay in order, one at a time.
    private func commitInBackground(_ chunk: ImportChunk) async throws {
        try await settleInFlight()
        let work = commitWork(chunk, final: nil)
        inFlight = Task { try await work() }
    }

    /// Waits for the chunk in flight, if any, and takes over its progress.
    private func settleInFlight() async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        let (nextPath, next) = try await task.value
        apply(nextPath, next)
    }

    private func apply(_ nextPath: LoadPath, _ next: ImportProgress) {
        if nextPath != path {
            logger.info(
                "keys of this file already exist: the rest of the file takes the staging + upsert path",
                metadata: ["import.row": "\(next.lastRow)"])
        }
        path = nextPath
        progress = next
    }

    private func commitWork(_ chunk: ImportChunk, final: Finalization?)
        -> @Sendable () async throws -> (LoadPath, ImportProgress)
    {
        let (jobID, loader, path, progress, fileSize) = (job.id, plan.loader, self.path, self.progress, self.fileSize)
        let (connection, template) = (self.connection, eventTemplate())
        return {
            try await connection.withTransaction { connection in
                try ImportJobStore.lockProgress(jobID, expectedByte: progress.lastByte, on: connection)
                let (nextPath, staged) = try loader.load(chunk, path: path, on: connection)
                try ImportJobStore.insertErrors(jobID, chunk.failures, on: connection)
                let next = progress.adding(chunk, staged: staged)
                guard let final else {
                    try ImportJobStore.recordProgress(jobID, next, fileSize: fileSize, on: connection)
                    return (nextPath, next)
                }
                let status = final.status ?? .final(successful: next.successful, failed: next.failed)
                let message =
                    final.message
                    ?? (status == .failed ? "every row (\(next.failed)) failed validation; see import_job_errors" : nil)
                try ImportJobStore.finish(
                    jobID, status: status, progress: next, checksum: final.checksum, fileSize: final.fileSize ?? fileSize,
                    errorMessage: message, on: connection)
                if status != .skipped {
                    let event = template.with(status: status, progress: next, checksum: final.checksum, message: message)
                    try ImportJobStore.enqueue(event.event, try event.json(), on: connection)
                }
                return (nextPath, next)
            }
        }
    }

    /// Ends the job `failed` after an error no retry can fix; the rows committed so far stay.
    func fail(reason: String) async throws -> ImportJob {
        logger.error("import failed", metadata: ["error": "\(reason)"])
        try await commit(emptyChunk(), final: Finalization(status: .failed, fileSize: fileSize, message: reason))
        return try await reload()
    }

    private func failMidFile(_ chunk: ImportChunk, reason: String) async throws -> ImportJob {
        logger.error("the file cannot be read further; import failed", metadata: ["error": "\(reason)"])
        try await commit(chunk, final: Finalization(status: .failed, fileSize: fileSize, message: reason))
        return try await reload()
    }

    /// The object changed after the event that named this version: the newer version has its
    /// own event (and job); this one can no longer be read.
    private func finishSuperseded(_ eTag: String) async throws -> ImportJob {
        let message = "the object changed during the import (now ETag \(eTag)); the newer version is a separate import"
        logger.warning("object superseded; import skipped", metadata: ["import.etag": "\(eTag)"])
        try await commit(emptyChunk(), final: Finalization(status: .skipped, message: message))
        return try await reload()
    }

    /// The ETag of a response when it shows another version than this job's.
    private func superseded(by eTag: String?) -> String? {
        guard metadata.versionId == nil, let current = ImportSourceIdentifier.version(versionId: nil, eTag: eTag) else {
            return nil
        }
        return current == identifier.version ? nil : current
    }

    private func emptyChunk() -> ImportChunk {
        var chunk = ImportChunk(reservingCapacity: min(settings.chunkRows, 5_000) * 160)
        if plan.appendsJobID { chunk.copy.setTrailingColumns([job.id.uuidString.lowercased()]) }
        return chunk
    }

    private func reload() async throws -> ImportJob {
        let jobID = job.id
        guard let loaded = try await connection.withTransaction({ try ImportJobStore.load(jobID, on: $0) }) else {
            throw PostgresError(kind: .client, message: "import job \(jobID.uuidString.lowercased()) disappeared")
        }
        job = loaded
        return loaded
    }

    private func eventTemplate() -> ImportEvent {
        ImportEvent(
            event: ImportEvent.completedKind, importJobID: job.id, status: .pending, handler: plan.handlerName,
            sourceIdentifier: identifier.description, bucket: identifier.bucket, key: metadata.key ?? identifier.key,
            processedRecords: 0, successfulRecords: 0, failedRecords: 0, fileSizeBytes: fileSize,
            entity: plan.entity?.rawValue)
    }
}

extension ImportEvent {
    func with(status: ImportJobStatus, progress: ImportProgress, checksum: String?, message: String?) -> ImportEvent {
        var event = self
        event.event = status == .failed ? ImportEvent.failedKind : ImportEvent.completedKind
        event.status = status
        event.processedRecords = progress.processed
        event.successfulRecords = progress.successful
        event.failedRecords = progress.failed
        event.checksumSHA256 = checksum
        event.errorMessage = message
        return event
    }
}
