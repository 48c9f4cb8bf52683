import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeTestSupport
import Logging
import Testing

@Suite("Receiver end to end", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct ReceiverEndToEndTests {
    @Test func signedWebhookIsStoredByTheInboxWorkerWithItsEventType() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let sources = RunningReceiver.sources()
            let running = try await RunningReceiver.start(database: TestDatabase.configuration(database: name))
            let client = TestClient(concurrency: 4)
            let first = try await client.postGitHub(
                running.base, body: #"{"action":"opened","issue":{"number":7}}"#, delivery: "gh-e2e-1", event: "issues")
            let second = try await client.postGitHub(running.base, body: #"{"ref":"main"}"#, delivery: "gh-e2e-2", event: "push")
            #expect(first.status == 202)
            #expect(second.status == 202)
            try await running.stop()

            // The inbox worker's consumer, in process, routing by source as the worker does.
            let handler = WebhookGenericHandler.make(configuration: IntakeConfiguration(sources: sources))
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 4)
            var logger = Logger(label: "e2e")
            logger.logLevel = .critical
            let consumer = TableConsumer(
                table: .deliveries,
                settings: ConsumerSettings(concurrency: 2, batch: 16, idleWait: .milliseconds(50)),
                registry: HandlerRegistry([handler]), policies: RetryPolicies(), pool: pool, workerID: "e2e",
                logger: logger, route: { sources[$0]?.handler })
            let run = Task { try await consumer.run() }
            let db = try await TestDatabase.connect(database: name)
            let stored = try await eventually {
                try await receiverCount(db, "SELECT count(*) FROM ingest.webhook_events") == 2
            }
            #expect(stored)
            #expect(
                try await eventually {
                    try await receiverCount(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'") == 2
                })

            // Handling a delivery again changes nothing.
            try await db.query("UPDATE intake.deliveries SET status = 'pending', run_at = now() WHERE id = $1", first.deliveryID ?? 0)
            #expect(
                try await eventually {
                    try await receiverCount(db, "SELECT count(*) FROM intake.deliveries WHERE status = 'succeeded'") == 2
                })
            consumer.stop()
            try await run.value

            let rows = try await db.query(
                "SELECT delivery_id, source, event_type, payload -> 'issue' ->> 'number' FROM ingest.webhook_events ORDER BY delivery_id")
            #expect(rows.count == 2)
            #expect(try rows[0].decode(Int64.self, at: 0) == first.deliveryID)
            #expect(try rows[0].decode(String.self, at: 1) == "github")
            #expect(try rows[0].decode(String.self, at: 2) == "issues")
            #expect(try rows[0].decode(String.self, at: 3) == "7")
            #expect(try rows[1].decode(String.self, at: 2) == "push")
            let result = try await db.query("SELECT result::text FROM intake.deliveries WHERE id = $1", first.deliveryID ?? 0)
            #expect(try result[0].decode(String.self, at: 0).contains("\"duplicate\": true"))
            await db.close()
            await pool.close()
        }
    }
}

@Suite("webhook.generic event type")
struct ReceiverWebhookGenericEventTypeTests {
    func object(_ json: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(json.utf8)) }

    @Test func followsTheConfiguredLocation() throws {
        let body = try object(#"{"type": "top", "data": {"kind": "nested", "n": 3}}"#)
        let headers = ["x-github-event": "push", "x-custom": "custom"]
        #expect(WebhookGenericHandler.eventType(of: body, headers: headers, location: .header("X-Custom")) == "custom")
        #expect(WebhookGenericHandler.eventType(of: body, headers: headers, location: .header("X-Missing")) == nil)
        #expect(WebhookGenericHandler.eventType(of: body, headers: headers, location: .jsonField("data.kind")) == "nested")
        #expect(WebhookGenericHandler.eventType(of: body, headers: headers, location: .jsonField("data.n")) == "3")
        #expect(WebhookGenericHandler.eventType(of: body, headers: headers, location: .jsonField("data")) == nil)
    }

    @Test func fallsBackToKnownHeadersThenBodyFields() throws {
        let body = try object(#"{"type": "invoice.paid", "event": "other"}"#)
        #expect(WebhookGenericHandler.eventType(of: body, headers: ["X-GitHub-Event": "push"], location: nil) == "push")
        #expect(WebhookGenericHandler.eventType(of: body, headers: ["ce-type": "com.example.made"], location: nil) == "com.example.made")
        #expect(WebhookGenericHandler.eventType(of: body, headers: [:], location: nil) == "invoice.paid")
        #expect(WebhookGenericHandler.eventType(of: try object(#"{"event": "e", "flag": true}"#), headers: [:], location: nil) == "e")
        #expect(WebhookGenericHandler.eventType(of: try object(#"{"type": true}"#), headers: [:], location: nil) == nil)
        #expect(WebhookGenericHandler.eventType(of: try object("[1, 2]"), headers: [:], location: nil) == nil)
    }
}
