import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing
import IntakeSupport

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

            let worker = RunningInboxWorker.start(database: name, sources: sources)
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
            try await worker.stop()

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
        }
    }

    /// JSON that is well-formed but that no handler can store as `jsonb` is refused at the door;
    /// what `jsonb` does store is stored. A 202 for a body that can only dead-letter loses it.
    @Test func refusesNULLoneSurrogatesAndHugeNumbersAndStoresWhatJsonbAccepts() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let sources = RunningReceiver.sources()
            let running = try await RunningReceiver.start(database: TestDatabase.configuration(database: name))
            let client = TestClient(concurrency: 4)
            let refused: [(body: String, offset: Int, says: String)] = [
                (#"{"id":"n","a":"x\u0000"}"#, 16, "\\u0000"),
                (#"{"a":"\ud800"}"#, 6, "surrogate"),
                (#"{"a":["ok \ud83d\ude00","\udc00"]}"#, 25, "surrogate"),
                (#"{"a":1e131072}"#, 5, "numeric"),
                (#"{"a":0.5e-16383}"#, 5, "numeric"),
            ]
            for (index, refusal) in refused.enumerated() {
                let answer = try await client.postGitHub(
                    running.base, body: refusal.body, delivery: "gh-refused-\(index)")
                #expect(answer.status == 400, "\(refusal.body): \(answer.status) \(answer.text)")
                let error = answer.json["error"] as? String ?? answer.text
                #expect(error.contains("at byte \(refusal.offset)"), "\(refusal.body): \(error)")
                #expect(error.contains(refusal.says), "\(refusal.body): \(error)")
            }
            // Valid for jsonb although no Double holds them.
            let big = try await client.postGitHub(running.base, body: #"{"a":1e400,"b":-1e-400}"#, delivery: "gh-big")
            #expect(big.status == 202, "\(big.text)")
            try await running.stop()

            let worker = RunningInboxWorker.start(database: name, sources: sources)
            let db = try await TestDatabase.connect(database: name)
            let settled = try await eventually {
                try await receiverCount(
                    db, "SELECT count(*) FROM intake.deliveries WHERE status IN ('succeeded', 'dead')") == 1
            }
            try await worker.stop()
            #expect(settled)
            // Every 202 stored; nothing dead-lettered.
            #expect(try await receiverCount(db, "SELECT count(*) FROM intake.deliveries") == 1)
            #expect(try await receiverCount(db, "SELECT count(*) FROM intake.dead_letters") == 0)
            let stored = try await db.query(
                "SELECT (payload->'a')::numeric = 1e400, (payload->'b')::numeric = -1e-400 FROM ingest.webhook_events")
            #expect(stored.count == 1)
            #expect(try stored.first?.decode(Bool.self, at: 0) == true)
            #expect(try stored.first?.decode(Bool.self, at: 1) == true)
            await db.close()
        }
    }
}

@Suite("webhook.generic event type")
struct ReceiverWebhookGenericEventTypeTests {
    func object(_ json: String) throws -> JSONNode { try JSONNode.parse(Array(json.utf8)) }

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
