import Foundation
import IntakeCore
import IntakeCrypto
import IntakeHTTP
import IntakeHandlers
import IntakePostgres
import IntakeReceiver
import IntakeSchema
import IntakeSupport
import IntakeTestSupport
import Logging
import NIOHTTP1
import Testing

/// A subscriber endpoint in this process: records what it receives, answers `status`.
final class TestSubscriber: Sendable {
    let server: IntakeHTTP.HTTPServer
    let received = Recorder<IntakeHTTP.HTTPRequest>()
    let task: Task<Void, any Error>

    init(status: HTTPResponseStatus) async throws {
        var logger = Logger(label: "subscriber")
        logger.logLevel = .critical
        let received = self.received
        server = IntakeHTTP.HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), logger: logger) { request in
            received.append(request)
            return .status(status)
        }
        let server = self.server
        task = Task { try await server.run() }
    }

    func url() async throws -> String { "http://127.0.0.1:\(try await server.localPort())/hooks/intake" }

    func stop() async {
        server.shutdown()
        _ = try? await task.value
    }
}

@Suite("Import notifications", .enabled(if: ImportEnvironment.available, ImportEnvironment.skipReason))
struct ImportNotifyTests {
    @Test func importCompletedReachesASubscriberSignedAndADeadSubscriberEndsInDeadLetters() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let good = try await TestSubscriber(status: .noContent)
            let down = try await TestSubscriber(status: .serviceUnavailable)
            let secret = "whsec_" + Base64.encode(try SecureRandom.bytes(24))
            let subscribers = [
                SubscriberSettings(events: ["import.completed"], url: try await good.url(), secret: Secret(secret)),
                SubscriberSettings(events: ["import.completed", "import.failed"], url: try await down.url(), secret: Secret("plain")),
            ]
            let services = try ImportEnvironment.services(subscribers: subscribers)
            let bucket = try await ImportEnvironment.bucket("notify")
            let task = try await ImportEnvironment.upload(ImportEnvironment.claimsFile(rows: 500), bucket: bucket, key: "claims/n.csv")
            let handler = CSVImportHandler.pharmacyClaims(services: services)
            let outcome = try await handler.handle(
                ImportEnvironment.message(task, handler: handler.name), context: ImportEnvironment.context(pool: pool))
            #expect(outcome.isSuccess, "\(outcome)")
            let jobID = try #require(try await db.text("SELECT id::text FROM intake.import_jobs"))

            let attempts = 3
            let policies = RetryPolicies(defaultPolicy: RetryPolicy(maxAttempts: attempts, base: .milliseconds(50), cap: .milliseconds(200)))
            let settled = try await ImportEnvironment.runJobs(database: name, services: services, policies: policies) {
                try await db.count("SELECT count(*) FROM intake.jobs WHERE status NOT IN ('succeeded', 'dead')") == 0
                    && good.received.count >= 1
            }
            #expect(settled)

            // The live subscriber got one notification with a valid Standard Webhooks signature.
            #expect(good.received.count == 1)
            let request = try #require(good.received.all.first)
            let verifier = try StandardWebhooksVerifier(secret: Secret(secret), toleranceSeconds: 300)
            _ = try await verifier.verify(headers: request.headers, body: request.bodyBytes)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.bodyBytes)) as? [String: Any])
            #expect(body["type"] as? String == "import.completed")
            let data = try #require(body["data"] as? [String: Any])
            #expect(data["import_job_id"] as? String == jobID)
            #expect(data["status"] as? String == "completed")
            #expect(request.header("webhook-id")?.hasPrefix("msg_") == true)

            // The subscriber that stays down: every attempt tried, then one dead letter.
            #expect(down.received.count == attempts)
            let dead = try await db.query("SELECT handler, attempts, jsonb_array_length(errors) FROM intake.dead_letters")
            try #require(dead.count == 1)
            #expect(try dead[0].decode(String.self, at: 0) == "subscriber.notify")
            #expect(try dead[0].decode(Int.self, at: 1) == attempts)
            #expect(try dead[0].decode(Int.self, at: 2) == attempts)
            // The post-import checks were recorded on the job.
            #expect(try await db.text("SELECT metadata->'data_quality'->>'passed' FROM intake.import_jobs") == "true")
            await good.stop()
            await down.stop()
            await pool.close()
            await db.close()
        }
    }
}
