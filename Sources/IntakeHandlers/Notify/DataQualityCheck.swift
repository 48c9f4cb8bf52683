import Foundation
import IntakePostgres

/// Post-import checks run on `import.completed` / `import.failed` and recorded on the job
/// (`metadata.data_quality`): the counts agree, the errors table holds one row per failed
/// record, the target table holds the job's rows, and no commerce row waits in staging longer
/// than the threshold.
public struct DataQualityReport: Sendable, Codable, Equatable {
    public var countsAgree: Bool
    public var errorsRecorded: Int
    public var errorsAgree: Bool
    public var rowsInTarget: Int?
    public var rowsInStaging: Int?
    public var staleStagingRows: Int
    public var staleAfterSeconds: Int
    public var warnings: [String]
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case warnings, passed
        case countsAgree = "counts_agree"
        case errorsRecorded = "errors_recorded"
        case errorsAgree = "errors_agree"
        case rowsInTarget = "rows_in_target"
        case rowsInStaging = "rows_in_staging"
        case staleStagingRows = "stale_staging_rows"
        case staleAfterSeconds = "stale_after_seconds"
    }
}

enum DataQualityCheck {
    /// The table an import loads, by handler (and entity for commerce).
    static func targetTable(for event: ImportEvent) -> String? {
        switch event.handler {
        case CSVImportFormat.pharmacyClaims.handlerName: return ImportTable.pharmacyClaims.name
        case CSVImportFormat.auditRecords.handlerName: return ImportTable.auditRecords.name
        case CommerceImportHandler.handlerName: return event.entity.flatMap(CommerceEntity.init(rawValue:))?.table.name
        default: return nil
        }
    }

    static func run(
        _ event: ImportEvent, jobID: UUID, staleAfterSeconds: Int, on connection: isolated PostgresConnection
    ) throws -> DataQualityReport? {
        let rows = try connection.query(
            "SELECT processed_records, successful_records, failed_records FROM intake.import_jobs WHERE id = $1", [jobID])
        guard let row = rows.first else { return nil }
        let processed = try row.decode(Int.self, at: 0)
        let successful = try row.decode(Int.self, at: 1)
        let failed = try row.decode(Int.self, at: 2)
        var warnings: [String] = []

        let countsAgree = processed == successful + failed
        if !countsAgree {
            warnings.append("processed \(processed) ≠ successful \(successful) + failed \(failed)")
        }
        let errorsRecorded = try connection.query(
            "SELECT count(*) FROM intake.import_job_errors WHERE import_job_id = $1", [jobID])[0].decode(Int.self, at: 0)
        let errorsAgree = errorsRecorded == failed
        if !errorsAgree {
            warnings.append("\(errorsRecorded) error rows recorded for \(failed) failed records")
        }

        var rowsInTarget: Int?
        var rowsInStaging: Int?
        if let table = targetTable(for: event) {
            let inTarget = try connection.query("SELECT count(*) FROM \(table) WHERE import_job_id = $1", [jobID])[0]
                .decode(Int.self, at: 0)
            rowsInTarget = inTarget
            if let staging = event.entity.flatMap(CommerceEntity.init(rawValue:))?.stagingTable {
                rowsInStaging = try connection.query(
                    "SELECT count(*) FROM \(staging) WHERE import_job_id = $1", [jobID])[0].decode(Int.self, at: 0)
            }
            let accounted = inTarget + (rowsInStaging ?? 0)
            if accounted > successful {
                warnings.append("\(accounted) rows carry this job's id but only \(successful) were loaded")
            } else if accounted < successful {
                // Not an error: keys repeated in the file, or rows a later import replaced.
                warnings.append(
                    "\(successful - accounted) of \(successful) loaded rows are no longer this job's "
                        + "(keys repeated in the file, or replaced by a later import)")
            }
        }

        let stale = try connection.query(
            """
            SELECT (SELECT count(*) FROM ingest.orders_staging WHERE received_at < now() - make_interval(secs => $1))
                 + (SELECT count(*) FROM ingest.order_items_staging WHERE received_at < now() - make_interval(secs => $1))
            """, [Double(staleAfterSeconds)])[0].decode(Int.self, at: 0)
        if stale > 0 {
            warnings.append("\(stale) commerce rows have waited in staging for more than \(staleAfterSeconds) s")
        }
        let report = DataQualityReport(
            countsAgree: countsAgree, errorsRecorded: errorsRecorded, errorsAgree: errorsAgree, rowsInTarget: rowsInTarget,
            rowsInStaging: rowsInStaging, staleStagingRows: stale, staleAfterSeconds: staleAfterSeconds, warnings: warnings,
            passed: countsAgree && errorsAgree && stale == 0 && (rowsInTarget ?? 0) + (rowsInStaging ?? 0) <= successful)
        let patch = try PostgresJSON(encoding: ["data_quality": report])
        try ImportJobStore.mergeMetadata(jobID, patch, on: connection)
        return report
    }
}

extension PostgresConnection {
    /// Runs `body` isolated to this connection: several statements without a hop each.
    func perform<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) throws -> T {
        try body(self)
    }
}
