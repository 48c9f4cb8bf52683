import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeTestSupport
import Testing

/// Objects whose key or content is awkward for an import.
@Suite("Import input", .enabled(if: ImportEnvironment.available, ImportEnvironment.skipReason))
struct ImportInputTests {
    /// Runs `body` with a migrated database, a connection, a pool, a fresh bucket and a context.
    func withImport(
        _ bucketPrefix: String,
        _ body: (_ db: PostgresConnection, _ bucket: String, _ context: HandlerContext) async throws -> Void
    ) async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let bucket = try await ImportEnvironment.bucket(bucketPrefix)
            try await body(db, bucket, ImportEnvironment.context(pool: pool))
            await pool.close()
            await db.close()
        }
    }

    @Test func aKeyWithDotSegmentsIsImportedFromThatKey() async throws {
        try await withImport("dots") { db, bucket, context in
            let claims = CSVImportHandler.pharmacyClaims(services: try ImportEnvironment.services())
            // Another object where a normalised path would land: importing it would be wrong.
            _ = try await ImportEnvironment.upload(ImportEnvironment.claimsFile(rows: 5), bucket: bucket, key: "claims/y.csv")
            let key = "claims/x/../y.csv"
            let task = try await ImportEnvironment.upload(ImportEnvironment.claimsFile(rows: 20, seed: 7), bucket: bucket, key: key)
            let listed = try await ImportEnvironment.s3().listObjectsV2(bucket: bucket, prefix: "claims/").objects.map(\.key)
            #expect(Set(listed) == ["claims/x/../y.csv", "claims/y.csv"])

            let outcome = try await claims.handle(ImportEnvironment.message(task, handler: claims.name), context: context)
            #expect(outcome.isSuccess, "\(outcome)")
            #expect(try await db.text("SELECT status FROM intake.import_jobs") == "completed")
            #expect(try await db.text("SELECT metadata->>'key' FROM intake.import_jobs") == key)
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 20)
        }
    }
}
