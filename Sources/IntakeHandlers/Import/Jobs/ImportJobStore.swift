import Foundation
import IntakePostgres

/// The SQL of `intake.import_jobs`, `import_job_errors` and `schema_history`. Every function
/// runs on a connection the caller holds, usually inside the chunk's transaction.
enum ImportJobStore {
    /// Finds or creates the job of `identifier` and returns it.
    static func findOrCreate(
        _ identifier: ImportSourceIdentifier, handler: String, metadata: ImportJobMetadata,
        on connection: isolated PostgresConnection
    ) throws -> ImportJob {
        try connection.query(
            """
            INSERT INTO intake.import_jobs (source_type, source_identifier, handler, status, metadata)
            VALUES ('s3', $1, $2, 'pending', $3::jsonb)
            ON CONFLICT (source_identifier) DO NOTHING
            """, [identifier.description, handler, metadata.json()])
        let rows = try connection.query(
            "SELECT \(ImportJob.columns) FROM intake.import_jobs WHERE source_identifier = $1", [identifier.description])
        guard let row = rows.first else {
            throw PostgresError(kind: .client, message: "import job for \(identifier) vanished right after it was created")
        }
        return try ImportJob(row: row)
    }

    static func load(_ id: UUID, on connection: isolated PostgresConnection) throws -> ImportJob? {
        try connection.query("SELECT \(ImportJob.columns) FROM intake.import_jobs WHERE id = $1", [id]).first
            .map(ImportJob.init(row:))
    }

    /// Holds the import for this session: another worker handling the same object meanwhile
    /// (SQS delivers twice; a reclaimed job) backs off instead of streaming it alongside.
    static func tryLock(_ id: UUID, on connection: isolated PostgresConnection) throws -> Bool {
        try connection.query("SELECT pg_try_advisory_lock(hashtextextended($1, 7))", [id.uuidString.lowercased()])[0]
            .decode(Bool.self, at: 0)
    }

    static func unlock(_ id: UUID, on connection: isolated PostgresConnection) throws {
        _ = try connection.query("SELECT pg_advisory_unlock(hashtextextended($1, 7))", [id.uuidString.lowercased()])
    }

    /// Marks the job started and merges `metadata` (header, drift, object identity).
    static func markStarted(
        _ id: UUID, metadata: ImportJobMetadata, fileSize: Int64?, on connection: isolated PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE intake.import_jobs
            SET status = 'in_progress', started_at = coalesce(started_at, now()), metadata = metadata || $2::jsonb,
                file_size_bytes = coalesce($3, file_size_bytes)
            WHERE id = $1
            """, [id, metadata.json(), fileSize])
    }

    /// Locks the job row for the chunk's transaction and checks that nobody moved it since
    /// `expectedByte`: a worker that lost its session (and with it the advisory lock) must not
    /// write over a successor's progress.
    static func lockProgress(_ id: UUID, expectedByte: Int64, on connection: isolated PostgresConnection) throws {
        let rows = try connection.query(
            "SELECT last_processed_byte, status FROM intake.import_jobs WHERE id = $1 FOR UPDATE", [id])
        guard let row = rows.first, try row.decode(Int64.self, at: 0) == expectedByte,
            let status = ImportJobStatus(rawValue: try row.decode(String.self, at: 1)), !status.isFinal
        else { throw ImportConflict(jobID: id, expectedByte: expectedByte) }
    }

    /// Commits a chunk's progress (after `lockProgress`, in the same transaction).
    static func recordProgress(
        _ id: UUID, _ progress: ImportProgress, fileSize: Int64?, on connection: isolated PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE intake.import_jobs
            SET status = 'in_progress', processed_records = $2, successful_records = $3, failed_records = $4,
                last_processed_offset = $5, last_processed_byte = $6, file_size_bytes = coalesce($7, file_size_bytes),
                metadata = CASE WHEN $8::bigint > 0 THEN metadata || jsonb_build_object('staged_records', $8::bigint)
                           ELSE metadata END
            WHERE id = $1
            """,
            [
                id, progress.processed, progress.successful, progress.failed, progress.lastRow, progress.lastByte,
                fileSize, progress.staged,
            ])
    }

    /// Sets the final status in the import's last transaction.
    static func finish(
        _ id: UUID, status: ImportJobStatus, progress: ImportProgress, checksum: String?, fileSize: Int64?,
        errorMessage: String?, on connection: isolated PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE intake.import_jobs
            SET status = $2, total_records = $3, processed_records = $3, successful_records = $4, failed_records = $5,
                last_processed_offset = $6, last_processed_byte = $7, checksum_sha256 = coalesce($8, checksum_sha256),
                file_size_bytes = coalesce($9, file_size_bytes), error_message = $10, completed_at = now(),
                started_at = coalesce(started_at, now()),
                metadata = CASE WHEN $11::bigint > 0 THEN metadata || jsonb_build_object('staged_records', $11::bigint)
                           ELSE metadata END
            WHERE id = $1
            """,
            [
                id, status.rawValue, progress.processed, progress.successful, progress.failed, progress.lastRow,
                progress.lastByte, checksum, fileSize, errorMessage, progress.staged,
            ])
    }

    static func mergeMetadata(_ id: UUID, _ patch: PostgresJSON, on connection: isolated PostgresConnection) throws {
        try connection.query(
            "UPDATE intake.import_jobs SET metadata = metadata || $2::jsonb WHERE id = $1", [id, patch])
    }

    /// Row-level failures of one chunk, in one statement.
    static func insertErrors(_ id: UUID, _ errors: ImportRowFailures, on connection: isolated PostgresConnection) throws {
        guard !errors.isEmpty else { return }
        try connection.query(
            """
            INSERT INTO intake.import_job_errors (import_job_id, row_number, error_type, message, raw)
            SELECT $1, r.row_number, r.error_type, r.message, r.raw
            FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS r(row_number, error_type, message, raw)
            """,
            [
                id, PostgresArray(errors.rowNumbers), PostgresArray(strings: errors.types),
                PostgresArray(strings: errors.messages), PostgresArray(strings: errors.raws),
            ])
    }

    /// Records the header of this file and returns its drift from the previous file of the
    /// same route (nil for the route's first file).
    static func recordSchema(
        route: String, identifier: ImportSourceIdentifier, jobID: UUID, columns: [String],
        on connection: isolated PostgresConnection
    ) throws -> SchemaDrift? {
        let previous = try connection.query(
            """
            SELECT array_to_json(columns)::text FROM intake.schema_history
            WHERE route = $1 AND import_job_id IS DISTINCT FROM $2
            ORDER BY recorded_at DESC, id DESC LIMIT 1
            """, [route, jobID]
        ).first.map { try $0.decode(String.self, at: 0) }
        let previousColumns = previous.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        let drift = previousColumns.map { SchemaDrift(previous: $0, current: columns) }
        let already = try connection.query(
            "SELECT 1 FROM intake.schema_history WHERE import_job_id = $1 LIMIT 1", [jobID])
        if already.isEmpty {
            try connection.query(
                """
                INSERT INTO intake.schema_history
                    (route, source_identifier, import_job_id, columns, added_columns, removed_columns, reordered)
                VALUES ($1, $2, $3, $4::text[], $5::text[], $6::text[], $7)
                """,
                [
                    route, identifier.description, jobID, PostgresArray(strings: columns),
                    PostgresArray(strings: drift?.added ?? []), PostgresArray(strings: drift?.removed ?? []),
                    !(drift?.reordered.isEmpty ?? true),
                ])
        }
        return drift
    }

    /// Enqueues a domain event in the caller's transaction.
    static func enqueue(_ kind: String, _ payload: PostgresJSON, on connection: isolated PostgresConnection) throws {
        try connection.query("SELECT intake.enqueue($1, $2::jsonb)", [kind, payload])
    }
}

/// Another worker moved the job's progress: this attempt stops, and its chunk rolls back.
struct ImportConflict: Error, CustomStringConvertible {
    var jobID: UUID
    var expectedByte: Int64
    var description: String {
        "import job \(jobID.uuidString.lowercased()) moved past byte \(expectedByte) under this worker (another worker took it over); "
            + "this attempt stops without writing"
    }
}

/// Invalid rows of one chunk, column-wise for `unnest`.
struct ImportRowFailures: Sendable {
    var rowNumbers: [Int64] = []
    var types: [String] = []
    var messages: [String] = []
    var raws: [String] = []

    var isEmpty: Bool { rowNumbers.isEmpty }
    var count: Int { rowNumbers.count }

    mutating func append(row: Int, errors: [RowError], raw: String) {
        let summary = errors.summary
        rowNumbers.append(Int64(row))
        types.append(summary.kind.rawValue)
        messages.append(summary.message)
        raws.append(raw)
    }

    mutating func removeAll() {
        rowNumbers.removeAll(keepingCapacity: true)
        types.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
        raws.removeAll(keepingCapacity: true)
    }
}
