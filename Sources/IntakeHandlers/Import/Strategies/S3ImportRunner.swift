import Foundation
import IntakeAWS
import IntakeCore
import IntakeCrypto
import IntakePostgres
import IntakeRuntime
import Logging

/// Runs one S3 import under its `intake.import_jobs` row: finds or creates the job for the
/// object version, skips what is finished, resumes what is not, streams the object through the
/// plan's decoder and commits chunk by chunk, then archives the object when asked.
///
/// Resume and the checksum: the SHA-256 of the whole file is needed at the end, but a resumed
/// attempt streams only the rest (a ranged GET from `last_processed_byte`). The runner
/// re-hashes the prefix first — a ranged GET of bytes `0…last_processed_byte-1` streamed only
/// through the hasher, never parsed — rather than persisting OpenSSL's hasher state, which
/// has no stable serialised form. It costs one extra read of the prefix on the rare resume.
struct S3ImportRunner: Sendable {
    let plan: ImportPlan
    let services: HandlerServices?
    let settings: ImportSettings

    func run(_ task: S3ObjectTask, reprocessTag: String?, context: HandlerContext) async throws -> HandlerOutcome {
        guard let s3 = services?.s3 else {
            return .permanentFailure(
                reason: "\(plan.handlerName) needs an S3 client, but this worker has no AWS configuration (aws: section, "
                    + "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)")
        }
        let access = S3ObjectAccess(s3: s3, bucket: task.bucket)
        var logger = context.logger
        logger[metadataKey: "import.object"] = "s3://\(task.bucket)/\(task.key)"

        // Which version of the object this import is about: from the event, else a HEAD.
        var key = task.key
        var size = task.size
        var version = ImportSourceIdentifier.version(versionId: task.versionId, eTag: task.eTag)
        var versionId = task.versionId.flatMap { $0.isEmpty || $0 == "null" ? nil : $0 }
        if version == nil {
            if let found = try await access.head(key: task.key, rawKey: task.rawKey, versionId: versionId) {
                key = found.key
                size = found.head.contentLength ?? size
                versionId = versionId ?? found.head.versionId.flatMap { $0 == "null" ? nil : $0 }
                version = ImportSourceIdentifier.version(versionId: versionId, eTag: found.head.eTag)
            }
        }
        let identifier = ImportSourceIdentifier(
            bucket: task.bucket, key: task.key, version: version ?? "gone", reprocessTag: reprocessTag)
        logger[metadataKey: "import.source"] = "\(identifier)"

        var metadata = ImportJobMetadata()
        metadata.bucket = task.bucket
        metadata.key = key
        metadata.versionId = versionId
        metadata.etag = task.eTag.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        metadata.reprocessOf = reprocessTag
        metadata.entity = plan.entity?.rawValue

        let connection = try await context.pool.lease()
        do {
            let outcome = try await runLocked(
                identifier: identifier, key: key, rawKey: task.rawKey, versionId: versionId, size: size,
                metadata: metadata, gone: version == nil, archivePrefix: task.archivePrefix, access: access,
                connection: connection, logger: logger)
            await context.pool.release(connection)
            return outcome
        } catch {
            await context.pool.release(connection)
            if let conflict = error as? ImportConflict {
                return .retry(reason: conflict.description, delay: .seconds(5))
            }
            if let aws = error as? AWSError { throw S3ObjectAccess.classified(aws) }
            throw error
        }
    }

    private func runLocked(
        identifier: ImportSourceIdentifier, key: String, rawKey: String?, versionId: String?, size: Int64?,
        metadata: ImportJobMetadata, gone: Bool, archivePrefix: String?, access: S3ObjectAccess,
        connection: PostgresConnection, logger: Logger
    ) async throws -> HandlerOutcome {
        let handlerName = plan.handlerName
        let job = try await connection.withTransaction { connection in
            try ImportJobStore.findOrCreate(identifier, handler: handlerName, metadata: metadata, on: connection)
        }
        var logger = logger
        logger[metadataKey: "import.job"] = "\(job.id.uuidString.lowercased())"
        if job.status.isFinal {
            logger.info("import already finished; nothing to do", metadata: ["import.status": "\(job.status.rawValue)"])
            return try await settleFinished(
                job, key: key, versionId: versionId, archivePrefix: archivePrefix, access: access, connection: connection,
                logger: logger, finishedEarlier: true)
        }
        guard try await connection.withTransaction({ try ImportJobStore.tryLock(job.id, on: $0) }) else {
            return .retry(reason: "import job \(job.id.uuidString.lowercased()) is being worked on by another worker", delay: .seconds(15))
        }
        let route = services?.configuration.route(bucket: identifier.bucket, key: key)
        let run = ImportRun(
            plan: plan, settings: settings, job: job, identifier: identifier,
            routeLabel: route.map { "s3://\($0.bucket.pattern)/\($0.key.pattern)" } ?? plan.handlerName,
            metadata: metadata, connection: connection, logger: logger)
        do {
            let finished: ImportJob
            if gone {
                finished = try await run.finishGone()
            } else {
                do {
                    finished = try await run.execute(key: key, rawKey: rawKey, versionId: versionId, size: size, access: access)
                } catch let error as PostgresError where !error.isRetryable {
                    // A chunk the database refuses for good (a constraint the validators missed)
                    // would fail the same way on every attempt: the job ends failed, with its event.
                    finished = try await run.fail(reason: "the database refused a chunk: \(error)")
                } catch let error as PermanentError {
                    finished = try await run.fail(reason: error.message)
                }
            }
            try await connection.withTransaction { try ImportJobStore.unlock(job.id, on: $0) }
            return try await settleFinished(
                finished, key: finished.metadata.key ?? key, versionId: versionId, archivePrefix: archivePrefix,
                access: access, connection: connection, logger: logger, finishedEarlier: false)
        } catch {
            if await connection.isConnected {
                do {
                    try await connection.withTransaction { try ImportJobStore.unlock(job.id, on: $0) }
                } catch let unlockError {
                    logger.warning("could not release the import lock", metadata: ["error": "\(unlockError)"])
                }
            }
            throw error
        }
    }

    /// The outcome of a finished job, archiving the object first when the route asks for it
    /// and an earlier attempt did not manage to.
    private func settleFinished(
        _ job: ImportJob, key: String, versionId: String?, archivePrefix: String?, access: S3ObjectAccess,
        connection: PostgresConnection, logger: Logger, finishedEarlier: Bool
    ) async throws -> HandlerOutcome {
        var archivedTo = job.metadata.archivedTo
        if let archivePrefix, !archivePrefix.isEmpty, archivedTo == nil,
            job.status == .completed || job.status == .partiallyCompleted
        {
            let destination = try await access.archive(key: key, versionId: versionId, prefix: archivePrefix)
            let patch = try PostgresJSON(object: ["archived_to": destination])
            try await connection.withTransaction { try ImportJobStore.mergeMetadata(job.id, patch, on: $0) }
            logger.info("archived the imported object", metadata: ["import.archived_to": "\(destination)"])
            archivedTo = destination
        }
        var summary: [String: Any] = [
            "import_job_id": job.id.uuidString.lowercased(), "status": job.status.rawValue,
            "processed_records": job.processedRecords, "successful_records": job.successfulRecords,
            "failed_records": job.failedRecords,
        ]
        if let archivedTo { summary["archived_to"] = archivedTo }
        let result = try PostgresJSON(object: summary)
        // A failed import is dead-lettered once, by the attempt that failed it; the same
        // object delivered again changes nothing and is not a new failure.
        if job.status == .failed && !finishedEarlier {
            let reason = (try? await connection.query(
                "SELECT error_message FROM intake.import_jobs WHERE id = $1", [job.id]
            ).first?.decode(String?.self, at: 0)) ?? nil
            return .permanentFailure(reason: "import \(job.id.uuidString.lowercased()) failed: \(reason ?? "see intakectl imports show")", result: result)
        }
        return .success(result: result)
    }
}
