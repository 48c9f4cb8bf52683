import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite("Import resume", .serialized, .enabled(if: ImportEnvironment.available, ImportEnvironment.skipReason))
struct ImportResumeTests {
    static func workerConfig(database: String) -> String {
        TestDatabase.workerConfig(
            database: database, concurrency: 1, batch: 1, leaseSeconds: 2,
            extra: """
                aws:
                  region: us-east-1
                  endpoint: "\(ImportEnvironment.endpoint)"
                  s3_path_style: true
                routes:
                  - { bucket: "*", key: "claims/*.csv", handler: csv.pharmacy_claims }
                """)
    }

    @Test func killNineMidFileResumesFromTheLastCommittedChunk() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let bucket = try await ImportEnvironment.bucket("resume")
            let rows = 300_000
            let file = ImportEnvironment.claimsFile(rows: rows, invalidEvery: 250)
            _ = try await ImportEnvironment.upload(file, bucket: bucket, key: "claims/big.csv")
            let jobID = try await db.query(
                "SELECT intake.enqueue('s3.reprocess', jsonb_build_object('bucket', $1::text, 'key', 'claims/big.csv'))",
                [bucket])[0].decode(Int64.self, at: 0)
            let environment = ["INTAKE_IMPORT_CHUNK_ROWS": "2000", "INTAKE_LOG_LEVEL": "info"]
            let config = Self.workerConfig(database: name)

            let victim = try WorkerProcess("intake-notify-worker", config: config, environment: environment)
            let midFile = try await eventually(timeout: .seconds(120), every: .milliseconds(10)) {
                let processed = try await db.count("SELECT coalesce(max(processed_records), 0)::int FROM intake.import_jobs")
                return processed > 0 && processed < rows / 2
            }
            victim.signal(SIGKILL)
            _ = await victim.waitForExit(timeout: .seconds(5))
            #expect(midFile, "the import never reached mid-file; log: \(victim.log.suffix(2000))")
            // A COMMIT already on the wire when the worker died may still land: read after it.
            try await Task.sleep(for: .milliseconds(300))
            let before = try #require(
                try await db.query("SELECT last_processed_byte, processed_records, status FROM intake.import_jobs").first)
            let resumeByte = try before.decode(Int64.self, at: 0)
            #expect(resumeByte > 0)
            #expect(resumeByte < Int64(file.count))
            #expect(try before.decode(String.self, at: 2) == "in_progress")

            let rescuer = try WorkerProcess("intake-notify-worker", config: config, environment: environment)
            let finished = try await eventually(timeout: .seconds(180), every: .milliseconds(100)) {
                try await db.count("SELECT count(*) FROM intake.jobs WHERE id = $1 AND status = 'succeeded'", [jobID]) == 1
            }
            rescuer.signal(SIGTERM)
            _ = await rescuer.waitForExit(timeout: .seconds(15))
            #expect(finished, "rescuer log: \(rescuer.log.suffix(3000))")
            #expect(rescuer.log.contains("resuming import at byte \(resumeByte)"), "rescuer log: \(rescuer.log.suffix(3000))")

            let invalid = rows / 250
            let job = try #require(
                try await db.query(
                    "SELECT status, processed_records, failed_records, checksum_sha256, source_identifier FROM intake.import_jobs"
                ).first)
            #expect(try job.decode(String.self, at: 0) == "partially_completed")
            #expect(try job.decode(Int.self, at: 1) == rows)
            #expect(try job.decode(Int.self, at: 2) == invalid)
            #expect(try job.decode(String.self, at: 3) == ImportEnvironment.sha256(file))
            #expect(try job.decode(String.self, at: 4).hasSuffix("@reprocess:\(jobID)"))
            #expect(try await db.count("SELECT count(*) FROM intake.import_jobs") == 1)
            // Every row exactly once: loaded, or recorded as an error, never both, never twice.
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == rows - invalid)
            #expect(try await db.count("SELECT count(*) FROM intake.import_job_errors") == invalid)
            #expect(try await db.count("SELECT count(DISTINCT row_number) FROM intake.import_job_errors") == invalid)
            #expect(try await db.count("SELECT attempts FROM intake.jobs WHERE id = $1", [jobID]) == 2)
            #expect(try await db.count("SELECT count(*) FROM intake.jobs WHERE kind = 'import.completed'") == 1)
            #expect(try await db.count("SELECT count(*) FROM intake.dead_letters") == 0)
            await db.close()
        }
    }
}
