import ArgumentParser
import Foundation
import IntakeCore
import IntakePostgres

struct Imports: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect S3 imports: their progress, counts, errors and rows waiting in staging.",
        subcommands: [List.self, Show.self])

    struct Summary: Encodable {
        var id: String
        var status: String
        var handler: String
        var source_identifier: String
        var progress_percent: Double?
        var processed_records: Int64
        var successful_records: Int64
        var failed_records: Int64
        var file_size_bytes: Int64?
        var created_at: Date
        var completed_at: Date?
    }

    static let summaryColumns = """
        id::text, status, handler, source_identifier, processed_records, successful_records, failed_records,
        file_size_bytes, last_processed_byte, created_at, completed_at
        """

    static func summary(_ row: PostgresRow) throws -> Summary {
        let status = try row.decode(String.self, at: 1)
        let size = try row.decode(Int64?.self, at: 7)
        let byte = try row.decode(Int64.self, at: 8)
        var percent: Double?
        if ["completed", "partially_completed"].contains(status) {
            percent = 100
        } else if let size, size > 0 {
            percent = (Double(byte) / Double(size) * 1000).rounded() / 10
        }
        return Summary(
            id: try row.decode(String.self, at: 0), status: status, handler: try row.decode(String.self, at: 2),
            source_identifier: try row.decode(String.self, at: 3), progress_percent: percent,
            processed_records: try row.decode(Int64.self, at: 4), successful_records: try row.decode(Int64.self, at: 5),
            failed_records: try row.decode(Int64.self, at: 6), file_size_bytes: size, created_at: try row.decode(Date.self, at: 9),
            completed_at: try row.decode(Date?.self, at: 10))
    }

    static func percentText(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0) } ?? "-" }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List import jobs, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only jobs in this status (pending, in_progress, completed, partially_completed, failed, skipped).")
        var status: String?
        @Option(help: "At most this many jobs.") var limit: Int = 50

        func run() async throws {
            let allowed = ["pending", "in_progress", "completed", "partially_completed", "failed", "skipped"]
            if let status, !allowed.contains(status) {
                throw ValidationError("--status must be one of \(allowed.joined(separator: ", "))")
            }
            let jobs = try await global.withPool { pool in
                try await pool.query(
                    """
                    SELECT \(Imports.summaryColumns) FROM intake.import_jobs
                    WHERE $1::text IS NULL OR status = $1 ORDER BY created_at DESC, id LIMIT $2
                    """, [status, max(1, limit)]
                ).map(Imports.summary)
            }
            if global.json { return try printJSON(jobs) }
            printTable(
                ["ID", "STATUS", "PROGRESS", "PROCESSED", "OK", "FAILED", "HANDLER", "SOURCE", "CREATED"],
                jobs.map {
                    [
                        String($0.id.prefix(8)), $0.status, Imports.percentText($0.progress_percent), String($0.processed_records),
                        String($0.successful_records), String($0.failed_records), $0.handler, $0.source_identifier,
                        formatDate($0.created_at),
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one import: progress, counts, first errors, rows waiting in staging and for what.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Import job id (a unique prefix will do).") var id: String
        @Option(help: "How many row errors to show.") var errors: Int = 10

        struct Detail: Encodable {
            var job: Summary
            var started_at: Date?
            var last_processed_offset: Int64
            var last_processed_byte: Int64
            var checksum_sha256: String?
            var error_message: String?
            var metadata: String
            var errors: [RowFailure]
            var waiting: [Waiting]
        }

        struct RowFailure: Encodable {
            var row_number: Int64
            var error_type: String
            var message: String
            var raw: String?
        }

        struct Waiting: Encodable {
            var table: String
            var rows: Int
            var waiting_for: String
            var distinct_references: Int
            var example: String?
        }

        func run() async throws {
            let prefix = id.lowercased()
            guard prefix.count >= 4, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                throw ValidationError("\"\(id)\" is not an import job id (give at least 4 characters of the uuid)")
            }
            let (prefixLength, limit) = (prefix.count, max(0, errors))
            let detail: Detail = try await global.withPool { pool in
                let rows = try await pool.query(
                    """
                    SELECT \(Imports.summaryColumns), started_at, last_processed_offset, checksum_sha256, error_message,
                           metadata::text
                    FROM intake.import_jobs WHERE left(id::text, $2) = $1 LIMIT 2
                    """, [prefix, prefixLength])
                guard let row = rows.first else { throw ValidationError("no import job \(prefix)") }
                guard rows.count == 1 else { throw ValidationError("\(prefix) matches several import jobs: give more of the id") }
                let summary = try Imports.summary(row)
                let failures = try await pool.query(
                    """
                    SELECT row_number, error_type, message, left(raw, 200) FROM intake.import_job_errors
                    WHERE import_job_id = $1::uuid ORDER BY row_number LIMIT $2
                    """, [summary.id, limit]
                ).map {
                    RowFailure(
                        row_number: try $0.decode(Int64.self, at: 0), error_type: try $0.decode(String.self, at: 1),
                        message: try $0.decode(String.self, at: 2), raw: try $0.decode(String?.self, at: 3))
                }
                let waiting = try await pool.query(
                    """
                    SELECT t, count(DISTINCT key), split_part(w, ' ', 1), count(DISTINCT w), min(w)
                    FROM (SELECT 'orders' AS t, order_id::text AS key, unnest(waiting_for) AS w
                          FROM ingest.orders_staging WHERE import_job_id = $1::uuid
                          UNION ALL
                          SELECT 'order_items', order_item_id::text, unnest(waiting_for)
                          FROM ingest.order_items_staging WHERE import_job_id = $1::uuid) s
                    GROUP BY t, split_part(w, ' ', 1) ORDER BY t, 3
                    """, [summary.id]
                ).map {
                    Waiting(
                        table: try $0.decode(String.self, at: 0), rows: try $0.decode(Int.self, at: 1),
                        waiting_for: try $0.decode(String.self, at: 2), distinct_references: try $0.decode(Int.self, at: 3),
                        example: try $0.decode(String?.self, at: 4))
                }
                return Detail(
                    job: summary, started_at: try row.decode(Date?.self, at: 11),
                    last_processed_offset: try row.decode(Int64.self, at: 12), last_processed_byte: try row.decode(Int64.self, at: 8),
                    checksum_sha256: try row.decode(String?.self, at: 13), error_message: try row.decode(String?.self, at: 14),
                    metadata: try row.decode(String.self, at: 15), errors: failures, waiting: waiting)
            }
            if global.json { return try printJSON(detail) }
            let job = detail.job
            print("import \(job.id): \(job.status) (\(job.handler))")
            print("source     \(job.source_identifier)")
            print("progress   \(Imports.percentText(job.progress_percent)) — row \(detail.last_processed_offset), byte \(detail.last_processed_byte) of \(job.file_size_bytes.map(String.init) ?? "?")")
            print("records    \(job.processed_records) processed, \(job.successful_records) loaded, \(job.failed_records) failed")
            print("started    \(formatDate(detail.started_at)), finished \(formatDate(job.completed_at))")
            if let checksum = detail.checksum_sha256 { print("sha-256    \(checksum)") }
            if let message = detail.error_message { print("error      \(message)") }
            if !detail.waiting.isEmpty {
                print("\nwaiting in staging:")
                for wait in detail.waiting {
                    print("  \(wait.table): \(wait.rows) row(s) wait for \(wait.distinct_references) \(wait.waiting_for)(s), e.g. \(wait.example ?? "-")")
                }
            }
            if !detail.errors.isEmpty {
                print("\nfirst \(detail.errors.count) row error(s):")
                printTable(
                    ["ROW", "TYPE", "MESSAGE", "RAW"],
                    detail.errors.map { [String($0.row_number), $0.error_type, $0.message, ($0.raw ?? "").replacingOccurrences(of: "\n", with: "\\n")] })
            }
            print("\nmetadata:\n\(prettyJSON(detail.metadata))")
        }
    }
}

struct Reprocess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import an S3 object again, through the handler its route names (enqueues an s3.reprocess job).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The object, as s3://bucket/key.") var object: String

    func run() async throws {
        guard object.hasPrefix("s3://") else { throw ValidationError("expected s3://bucket/key, got \"\(object)\"") }
        let path = object.dropFirst(5)
        guard let slash = path.firstIndex(of: "/"), slash != path.startIndex, path.index(after: slash) != path.endIndex else {
            throw ValidationError("expected s3://bucket/key, got \"\(object)\"")
        }
        let bucket = String(path[..<slash])
        let key = String(path[path.index(after: slash)...])
        let payload = try PostgresJSON(object: ["bucket": bucket, "key": key])
        let jobID = try await global.withPool { pool in
            try await pool.query("SELECT intake.enqueue('s3.reprocess', $1::jsonb)", [payload])[0].decode(Int64.self, at: 0)
        }
        if global.json { return try printJSON(["job_id": jobID]) }
        print("enqueued s3.reprocess job \(jobID) for s3://\(bucket)/\(key); follow it with intakectl imports list")
    }
}
