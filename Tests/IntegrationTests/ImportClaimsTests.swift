import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite("CSV imports", .enabled(if: ImportEnvironment.available, ImportEnvironment.skipReason))
struct ImportClaimsTests {
    @Test func hundredThousandClaimsWithOnePercentInvalidLoadOnceAndRecordEveryError() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let bucket = try await ImportEnvironment.bucket("claims")
            let file = ImportEnvironment.claimsFile(rows: 100_000, invalidEvery: 100)
            let task = try await ImportEnvironment.upload(file, bucket: bucket, key: "claims/2024-01.csv")
            let handler = CSVImportHandler.pharmacyClaims(services: try ImportEnvironment.services())
            let context = ImportEnvironment.context(pool: pool)

            let outcome = try await handler.handle(ImportEnvironment.message(task, handler: handler.name), context: context)
            #expect(outcome.isSuccess, "\(outcome)")
            let job = try await db.query(
                """
                SELECT id, status, processed_records, successful_records, failed_records, total_records,
                       file_size_bytes, checksum_sha256, source_identifier, last_processed_byte
                FROM intake.import_jobs
                """)
            try #require(job.count == 1)
            let jobID = try job[0].decode(UUID.self, at: 0)
            #expect(try job[0].decode(String.self, at: 1) == "partially_completed")
            #expect(try job[0].decode(Int.self, at: 2) == 100_000)
            #expect(try job[0].decode(Int.self, at: 3) == 99_000)
            #expect(try job[0].decode(Int.self, at: 4) == 1_000)
            #expect(try job[0].decode(Int.self, at: 5) == 100_000)
            #expect(try job[0].decode(Int.self, at: 6) == file.count)
            #expect(try job[0].decode(String.self, at: 7) == ImportEnvironment.sha256(file))
            let etag = try #require(task.eTag).replacingOccurrences(of: "\"", with: "")
            #expect(try job[0].decode(String.self, at: 8) == "s3://\(bucket)/claims/2024-01.csv#\(etag)")
            #expect(try job[0].decode(Int.self, at: 9) == file.count)

            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 99_000)
            #expect(try await db.count("SELECT count(DISTINCT claim_id) FROM ingest.pharmacy_claims") == 99_000)
            #expect(try await db.count("SELECT count(*) FROM intake.import_job_errors") == 1_000)
            #expect(try await db.count("SELECT count(DISTINCT error_type) FROM intake.import_job_errors") >= 6)
            #expect(try await db.count("SELECT count(*) FROM intake.import_job_errors WHERE raw IS NULL OR raw = ''") == 0)
            // Each invalid row is stored exactly as it arrived.
            let lines = String(decoding: file, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            for row in [100, 5_000, 99_900] {
                let raw = try await db.text("SELECT raw FROM intake.import_job_errors WHERE row_number = $1", [row])
                #expect(raw == String(lines[row]), "row \(row)")
            }
            // Only the generator's invalid rows failed.
            #expect(try await db.count("SELECT count(*) FROM intake.import_job_errors WHERE row_number % 100 <> 0") == 0)
            #expect(try await db.count("SELECT count(*) FROM intake.schema_history WHERE import_job_id = $1", [jobID]) == 1)
            #expect(
                try await db.count(
                    "SELECT count(*) FROM intake.jobs WHERE kind = 'import.completed' AND payload->>'status' = 'partially_completed'"
                ) == 1)

            // The same object again adds nothing.
            let again = try await handler.handle(ImportEnvironment.message(task, handler: handler.name, id: "m-2"), context: context)
            #expect(again.isSuccess)
            #expect(try await db.count("SELECT count(*) FROM intake.import_jobs") == 1)
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 99_000)
            #expect(try await db.count("SELECT count(*) FROM intake.import_job_errors") == 1_000)
            #expect(try await db.count("SELECT count(*) FROM intake.jobs WHERE kind LIKE 'import.%'") == 1)

            // A changed object (new ETag, same claim ids) is a new import that upserts.
            let changed = ImportEnvironment.claimsFile(rows: 100_000, invalidEvery: 100, seed: 42)
            #expect(changed != file)
            let newTask = try await ImportEnvironment.upload(changed, bucket: bucket, key: "claims/2024-01.csv")
            #expect(newTask.eTag != task.eTag)
            let upserted = try await handler.handle(ImportEnvironment.message(newTask, handler: handler.name, id: "m-3"), context: context)
            #expect(upserted.isSuccess, "\(upserted)")
            let second = try #require(
                try await db.query("SELECT id FROM intake.import_jobs WHERE id <> $1", [jobID]).first?.decode(UUID.self, at: 0))
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 99_000)
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims WHERE import_job_id = $1", [second]) == 99_000)
            let newLine = String(String(decoding: changed, as: UTF8.self).split(separator: "\n")[1])
            let patient = String(newLine.split(separator: ",")[1])
            #expect(try await db.text("SELECT patient_id FROM ingest.pharmacy_claims WHERE claim_id = 'CLM0000000001'") == patient)
            await pool.close()
            await db.close()
        }
    }

    @Test func archivesGoneObjectsRawKeysAndHeaderProblems() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let bucket = try await ImportEnvironment.bucket("claims-edge")
            let s3 = try ImportEnvironment.s3()
            let services = try ImportEnvironment.services()
            let claims = CSVImportHandler.pharmacyClaims(services: services)
            let audit = CSVImportHandler.auditRecords(services: services)
            let context = ImportEnvironment.context(pool: pool)

            // archive_prefix: the object moves once imported.
            let small = ImportEnvironment.claimsFile(rows: 50)
            let archived = try await ImportEnvironment.upload(small, bucket: bucket, key: "claims/small.csv", archivePrefix: "processed/")
            let outcome = try await claims.handle(ImportEnvironment.message(archived, handler: claims.name), context: context)
            #expect(outcome.isSuccess, "\(outcome)")
            #expect(try await s3.headObject(bucket: bucket, key: "processed/claims/small.csv").contentLength == Int64(small.count))
            await #expect(throws: (any Error).self) { try await s3.headObject(bucket: bucket, key: "claims/small.csv") }
            #expect(try await db.text("SELECT metadata->>'archived_to' FROM intake.import_jobs") == "processed/claims/small.csv")

            // Gone: skipped, not retried, no event.
            let gone = S3ObjectTask(bucket: bucket, key: "claims/never-there.csv", eTag: "\"0123\"")
            let skipped = try await claims.handle(ImportEnvironment.message(gone, handler: claims.name), context: context)
            #expect(skipped.isSuccess)
            #expect(try await db.text("SELECT status FROM intake.import_jobs WHERE source_identifier LIKE '%never-there%'") == "skipped")

            // The decoded key is not found, the key as the event gave it is.
            let plus = try await ImportEnvironment.upload(small, bucket: bucket, key: "claims/a+b.csv")
            let decoded = S3ObjectTask(bucket: bucket, key: "claims/a b.csv", rawKey: "claims/a+b.csv", eTag: plus.eTag)
            let viaRaw = try await claims.handle(ImportEnvironment.message(decoded, handler: claims.name), context: context)
            #expect(viaRaw.isSuccess, "\(viaRaw)")
            #expect(try await db.text("SELECT status FROM intake.import_jobs WHERE metadata->>'key' = 'claims/a+b.csv'") == "completed")

            // A header without a required column: the job fails, permanently, with an event.
            let noOutcome = "event_id,occurred_at,actor_id,action,resource_type,resource_id,source_ip\n"
                + "e1,2024-01-01T00:00:00Z,u1,read,doc,d1,10.0.0.1\n"
            let badTask = try await ImportEnvironment.upload(Array(noOutcome.utf8), bucket: bucket, key: "audit/bad.csv")
            let failed = try await audit.handle(ImportEnvironment.message(badTask, handler: audit.name), context: context)
            #expect(failed.isPermanentFailure)
            let message = try await db.text("SELECT error_message FROM intake.import_jobs WHERE metadata->>'key' = 'audit/bad.csv'")
            #expect(message?.contains("outcome") == true, "\(message ?? "nil")")
            #expect(try await db.count("SELECT count(*) FROM intake.jobs WHERE kind = 'import.failed'") == 1)

            // Drift against the previous audit file is recorded as a warning.
            let header = "event_id,occurred_at,actor_id,action,resource_type,resource_id,outcome,source_ip"
            let first = header + "\ne1,2024-01-01T00:00:00Z,u1,read,doc,d1,success,10.0.0.1\n"
            let second = header + ",region\ne2,2024-01-01T00:00:00+02:00,u2,write,doc,d2,failure,::1,eu\n"
            for (index, text) in [first, second].enumerated() {
                let task = try await ImportEnvironment.upload(Array(text.utf8), bucket: bucket, key: "audit/\(index).csv")
                let result = try await audit.handle(ImportEnvironment.message(task, handler: audit.name), context: context)
                #expect(result.isSuccess, "\(result)")
            }
            #expect(
                try await db.text("SELECT metadata->'drift'->'added'->>0 FROM intake.import_jobs WHERE metadata->>'key' = 'audit/1.csv'")
                    == "region")
            #expect(try await db.count("SELECT count(*) FROM intake.schema_history WHERE 'region' = ANY(added_columns)") == 1)
            #expect(try await db.count("SELECT count(*) FROM ingest.audit_records") == 2)
            await pool.close()
            await db.close()
        }
    }

    @Test func aChunkTheDatabaseRefusesFailsTheJobOnceWithAnEvent() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            // A rule the validators do not know, standing in for any constraint they might miss.
            try await db.execute(
                script: """
                    CREATE FUNCTION refuse_claim() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.claim_id = 'CLM0000000150' THEN
                            RAISE EXCEPTION 'claim refused' USING ERRCODE = '23514';
                        END IF;
                        RETURN NEW;
                    END $$;
                    CREATE TRIGGER refuse BEFORE INSERT ON ingest.pharmacy_claims FOR EACH ROW EXECUTE FUNCTION refuse_claim();
                    """)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let bucket = try await ImportEnvironment.bucket("claims-refused")
            let task = try await ImportEnvironment.upload(
                ImportEnvironment.claimsFile(rows: 300), bucket: bucket, key: "claims/refused.csv")
            let handler = CSVImportHandler(
                format: .pharmacyClaims, services: try ImportEnvironment.services(), settings: ImportSettings(chunkRows: 100))
            let context = ImportEnvironment.context(pool: pool)
            let outcome = try await handler.handle(ImportEnvironment.message(task, handler: handler.name), context: context)
            #expect(outcome.isPermanentFailure, "\(outcome)")
            let job = try #require(try await db.query("SELECT status, processed_records, error_message FROM intake.import_jobs").first)
            #expect(try job.decode(String.self, at: 0) == "failed")
            #expect(try job.decode(Int.self, at: 1) == 100)  // the first chunk committed; the second was refused
            #expect(try job.decode(String.self, at: 2).contains("claim refused"))
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 100)
            #expect(try await db.count("SELECT count(*) FROM intake.jobs WHERE kind = 'import.failed'") == 1)
            // Delivered again: nothing new, and no second failure to dead-letter.
            let again = try await handler.handle(ImportEnvironment.message(task, handler: handler.name, id: "m-2"), context: context)
            #expect(again.isSuccess)
            #expect(try await db.count("SELECT count(*) FROM intake.jobs WHERE kind = 'import.failed'") == 1)
            await pool.close()
            await db.close()
        }
    }
}
