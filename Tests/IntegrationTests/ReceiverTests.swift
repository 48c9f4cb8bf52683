import Foundation
import IntakeCore
import IntakeCrypto
import IntakePostgres
import IntakeReceiver
import IntakeTestSupport
import Testing

@Suite("Receiver", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct ReceiverTests {
    @Test func concurrentRequestsWithRepeatedIDsAreRecordedExactlyOnce() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let running = try await RunningReceiver.start(database: TestDatabase.configuration(database: name))
            let client = TestClient(concurrency: 64)
            // 2,000 requests: 1,800 distinct ids, and 200 that repeat one of them.
            var ids = (0..<1800).map { "d-\($0)" }
            ids += (0..<200).map { "d-\($0 * 9)" }
            ids.shuffle()
            let answers = try await withThrowingTaskGroup(of: (String, TestClient.Answer).self) { group in
                for id in ids {
                    group.addTask {
                        (id, try await client.postGitHub(running.base, body: #"{"delivery":"\#(id)","n":1}"#, delivery: id))
                    }
                }
                var all: [(String, TestClient.Answer)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            try await running.stop()

            #expect(answers.count == 2000)
            let statuses = Dictionary(grouping: answers, by: { $0.1.status }).mapValues(\.count)
            #expect(answers.allSatisfy { $0.1.status == 202 || $0.1.status == 200 })
            let accepted = answers.filter { $0.1.status == 202 }
            #expect(accepted.count == 1800, "answers by status: \(statuses)")
            #expect(answers.filter { $0.1.status == 200 }.count == 200)
            // Every answer for one id names the same delivery.
            var byKey: [String: Set<Int64>] = [:]
            for (id, answer) in answers { byKey[id, default: []].insert(answer.deliveryID ?? -1) }
            #expect(byKey.count == 1800)
            #expect(byKey.values.allSatisfy { $0.count == 1 && !$0.contains(-1) })
            #expect(accepted.allSatisfy { $0.1.headers["location"] == "/deliveries/\($0.1.deliveryID ?? -1)" })

            let db = try await TestDatabase.connect(database: name)
            #expect(try await receiverCount(db, "SELECT count(*) FROM intake.deliveries") == 1800)
            #expect(try await receiverCount(db, "SELECT count(DISTINCT external_id) FROM intake.deliveries WHERE source = 'github'") == 1800)
            let acceptedIDs = PostgresArray(accepted.compactMap { $0.1.deliveryID })
            #expect(try await receiverCount(db, "SELECT count(*) FROM intake.deliveries WHERE id = ANY($1::bigint[])", [acceptedIDs]) == 1800)
            // Stored without the signature, with the body byte for byte.
            let stored = try await db.query(
                "SELECT headers::text, convert_from(body, 'UTF8') FROM intake.deliveries WHERE external_id = 'd-7'")
            #expect(try !stored[0].decode(String.self, at: 0).contains("x-hub-signature"))
            #expect(try stored[0].decode(String.self, at: 1) == #"{"delivery":"d-7","n":1}"#)
            await db.close()
        }
    }

    @Test func refusesWhatItMustWithJSONErrors() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let running = try await RunningReceiver.start(
                database: TestDatabase.configuration(database: name), sources: RunningReceiver.sources(maxBodyBytes: 1024))
            let client = TestClient(concurrency: 4)
            let json = [("Content-Type", "application/json")]

            let unknown = try await client.send("POST", running.base + "/webhooks/nope", headers: json, body: Array("{}".utf8))
            #expect(unknown.status == 404)
            #expect(unknown.json["error"] as? String == "unknown webhook source")

            let big = Array(("{\"pad\":\"" + String(repeating: "x", count: 2000) + "\"}").utf8)
            let tooLarge = try await client.postGitHub(running.base, body: String(decoding: big, as: UTF8.self), delivery: "big")
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json["error"] as? String == "body too large: this source takes at most 1024 bytes")

            let plain = try await client.send(
                "POST", running.base + "/webhooks/github", headers: [("Content-Type", "text/plain")], body: Array("{}".utf8))
            #expect(plain.status == 415)
            let fhir = try await client.send(
                "POST", running.base + "/webhooks/github", headers: [("Content-Type", "application/fhir+json")],
                body: Array("{}".utf8))
            #expect(fhir.status == 401)  // JSON accepted; fails only at the signature

            let malformed = try await client.postGitHub(running.base, body: #"{"a": 1,}"#, delivery: "bad")
            #expect(malformed.status == 400)
            #expect((malformed.json["error"] as? String)?.hasPrefix("malformed JSON") == true)

            let forged = try await client.send(
                "POST", running.base + "/webhooks/github",
                headers: json + [("X-Hub-Signature-256", "sha256=" + String(repeating: "0", count: 64))],
                body: Array("{}".utf8))
            #expect(forged.status == 401)
            #expect(forged.text == #"{"error":"unauthorized: the request could not be verified"}"#)

            let get = try await client.send("GET", running.base + "/webhooks/github")
            #expect(get.status == 405)

            // A raw source takes any bytes, with its bearer token.
            let raw = try await client.send(
                "POST", running.base + "/webhooks/raw", headers: [("Authorization", "Bearer raw-token-0123456789"), ("Content-Type", "text/csv")],
                body: Array("a,b\n1,2\n".utf8))
            #expect(raw.status == 202)

            let metrics = try await client.send("GET", running.adminBase + "/metrics")
            #expect(metrics.text.contains(#"intake_receiver_requests_total{source="github",status="401"} 2"#))
            #expect(metrics.text.contains(#"intake_receiver_requests_total{source="-",status="404"} 1"#))
            #expect(metrics.text.contains("intake_receiver_commit_seconds_bucket"))
            // Eventually: a probe on a busy test machine may miss its 2 s budget once.
            #expect(try await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
                try await client.send("GET", running.adminBase + "/readyz").status == 200
            })
            #expect(try await client.send("GET", running.adminBase + "/healthz").status == 200)
            // Nothing but webhooks and delivery status on the public port.
            for path in ["/metrics", "/readyz", "/healthz"] {
                let answer = try await client.send("GET", running.base + path)
                #expect(answer.status == 404, "\(path) on the webhook port: \(answer.status)")
                #expect(!answer.text.contains("intake_receiver"), "\(path) leaked metrics on the webhook port")
            }
            try await running.stop()
        }
    }

    @Test func refusesAnOversizedChunkedBodyWhileItStreams() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let running = try await RunningReceiver.start(
                database: TestDatabase.configuration(database: name), sources: RunningReceiver.sources(maxBodyBytes: 1024))
            let head = Array(
                "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            let chunk = Array("400\r\n\(String(repeating: "x", count: 1024))\r\n".utf8)
            let answer = await rawExchange(port: running.port, chunks: [head] + Array(repeating: chunk, count: 8))
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains("at most 1024 bytes"))
            try await running.stop()
        }
    }

    @Test func apiKeySourcesAreLimitedAcrossReplicasAndShowStatusToTheirOwnSite() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let db = try await TestDatabase.connect(database: name)
            let shop = try await addDrupalSite(db, name: "shop", key: "idk_shop_key")
            _ = try await addDrupalSite(db, name: "blog", key: "idk_blog_key")
            // Two replicas share the limit of 3 per hour for one key.
            let first = try await RunningReceiver.start(database: TestDatabase.configuration(database: name))
            let second = try await RunningReceiver.start(database: TestDatabase.configuration(database: name))
            let client = TestClient(concurrency: 4)
            func push(_ base: String, key: String, _ n: Int) async throws -> TestClient.Answer {
                try await client.send(
                    "POST", base + "/webhooks/drupal", headers: [("Content-Type", "application/json"), ("X-API-Key", key)],
                    body: Array(#"{"sync": \#(n)}"#.utf8))
            }
            var statuses: [Int] = []
            var firstID: Int64?
            for n in 0..<4 {
                let answer = try await push(n % 2 == 0 ? first.base : second.base, key: "idk_shop_key", n)
                statuses.append(answer.status)
                if n == 0 { firstID = answer.deliveryID }
                if answer.status == 429 { #expect(Int(answer.headers["retry-after"] ?? "") ?? 0 >= 1) }
            }
            #expect(statuses == [202, 202, 202, 429])
            #expect(try await push(second.base, key: "idk_blog_key", 9).status == 202)
            #expect(try await push(first.base, key: "idk_unknown", 9).status == 401)

            let id = try #require(firstID)
            let mine = try await client.send("GET", first.base + "/deliveries/\(id)", headers: [("X-API-Key", "idk_shop_key")])
            #expect(mine.status == 200)
            #expect(mine.json["status"] as? String == "pending")
            #expect((mine.json["attempts"] as? NSNumber)?.intValue == 0)
            let theirs = try await client.send("GET", first.base + "/deliveries/\(id)", headers: [("X-API-Key", "idk_blog_key")])
            #expect(theirs.status == 404)
            let nobody = try await client.send("GET", first.base + "/deliveries/\(id)")
            #expect(nobody.status == 401)

            let headers = try await db.query("SELECT headers::text FROM intake.deliveries WHERE id = $1", id)
            let stored = try headers[0].decode(String.self, at: 0)
            #expect(stored.contains(#""x-intake-site-id": "\#(shop)""#))
            #expect(!stored.contains("idk_shop_key"))

            // Revocation takes effect without a restart (the key cache lives at most 5 s).
            try await db.query("UPDATE ingest.drupal_sites SET revoked_at = now() WHERE name = 'blog'")
            let revoked = try await eventually(timeout: .seconds(10), every: .milliseconds(250)) {
                try await push(second.base, key: "idk_blog_key", 10).status == 401
            }
            #expect(revoked)
            try await first.stop()
            try await second.stop()
            await db.close()
        }
    }

    @Test func standardWebhooksSourceUsesWebhookIDAsTheKey() async throws {
        try await TestDatabase.withMigratedDatabase { name in
            let now = Int64(Date().timeIntervalSince1970)
            let running = try await RunningReceiver.start(database: TestDatabase.configuration(database: name))
            let client = TestClient(concurrency: 2)
            let body = Array(#"{"data": {"kind": "invoice.paid"}}"#.utf8)
            let key = Base64.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
            let signature = Base64.encode(HMAC.sha256(key: key, data: Array("msg_1.\(now).".utf8) + body))
            let headers = [
                ("Content-Type", "application/json"), ("webhook-id", "msg_1"), ("webhook-timestamp", String(now)),
                ("webhook-signature", "v1,\(signature)"),
            ]
            let first = try await client.send("POST", running.base + "/webhooks/partner", headers: headers, body: body)
            let again = try await client.send("POST", running.base + "/webhooks/partner", headers: headers, body: body)
            #expect(first.status == 202)
            #expect(again.status == 200)
            #expect(again.json["status"] as? String == "duplicate")
            #expect(again.deliveryID == first.deliveryID)
            try await running.stop()
            let db = try await TestDatabase.connect(database: name)
            let external = try await db.query("SELECT external_id FROM intake.deliveries WHERE source = 'partner'")
            #expect(try external.map { try $0.decode(String.self, at: 0) } == ["msg_1"])
            await db.close()
        }
    }
}
