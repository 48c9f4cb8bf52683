import Foundation
import IntakeCore
import IntakeDrupal
import IntakeHandlers
import IntakePostgres
import IntakeTestSupport
import Testing

@Suite("drupal.module_sync refusals and access", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct DrupalRejectionTests {
    @Test func aRequestWithSeveralErrorsIsDeadLetteredWithEveryPathAndShownOnlyToItsSite() async throws {
        try await StrategyHarness.run { h in
            let site = try await h.addSite("broken.example.org")
            let other = try await h.addSite("other.example.org")
            let body = """
                {"site_info":{"name":"Broken"},
                 "modules":[
                   {"machine_name":"views","name":"Views","type":"core","version":"10.2.3","status":true},
                   {"machine_name":"token","name":"Token","type":"contrib","version":"banana","status":true},
                   {"machine_name":"pathauto","name":"Pathauto","type":"plugin","version":"8.x-1.12","status":true},
                   {"machine_name":"views","name":"Views again","type":"core","version":"10.2.3","status":true}
                 ],
                 "sync_timestamp":"2024-01-15T10:35:00Z","drupal_version":"10.2.3","sync_type":"sometimes"}
                """
            let posted = try await h.postDrupal(Array(body.utf8), key: site.key)
            #expect(posted.status == 202)
            let settled = try await h.settled(posted.deliveryID)
            #expect(settled.status == "dead")
            let problems = (settled.result["problems"] as? [[String: Any]]) ?? []
            let paths = problems.compactMap { $0["path"] as? String }
            #expect(
                Set(paths) == ["modules[1].version", "modules[2].type", "modules[3].machine_name", "php_version", "sync_type"])
            let duplicate = problems.first { $0["path"] as? String == "modules[3].machine_name" }?["message"] as? String
            #expect(duplicate?.contains("modules[0].machine_name") == true)
            #expect(settled.result.strings("errors").count == 5)
            #expect(settled.result["success"] as? Bool == false)
            #expect(settled.lastError?.contains("5 problem(s)") == true)

            // Dead-lettered at once, with the reason; nothing written.
            let letters = try await h.db.query(
                "SELECT handler, attempts, errors ->> 0 FROM intake.dead_letters WHERE origin = 'inbox' AND origin_ref = $1",
                String(posted.deliveryID ?? 0))
            #expect(letters.count == 1)
            #expect(try letters.first?.decode(String.self, at: 0) == "drupal.module_sync")
            #expect(try letters.first?.decode(Int.self, at: 1) == 1)
            #expect(try letters.first?.decode(String.self, at: 2).contains("modules[1].version") == true)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sync_runs") == 0)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_modules") == 0)

            // The site sees every problem; another site's key sees nothing at all.
            let own = try await h.deliveryStatus(posted.deliveryID ?? 0, key: site.key)
            #expect(own.status == 200)
            #expect(own.json["status"] as? String == "dead")
            #expect((own.json.object("result")["problems"] as? [Any])?.count == 5)
            let foreign = try await h.deliveryStatus(posted.deliveryID ?? 0, key: other.key)
            #expect(foreign.status == 404)
            let missing = try await h.deliveryStatus(posted.deliveryID ?? 0, key: "idk_" + String(repeating: "A", count: 43))
            #expect(missing.status == 401)
        }
    }

    @Test func aListOf2001ModulesIsRefusedWholeWithNothingWritten() async throws {
        try await StrategyHarness.run { h in
            let site = try await h.addSite("big.example.org")
            let modules = DrupalBodies.names(0..<2001).map { DrupalBodies.module($0) }
            let posted = try await h.postDrupal(
                DrupalBodies.body(modules, at: Date().addingTimeInterval(-60)), key: site.key)
            #expect(posted.status == 202)
            let settled = try await h.settled(posted.deliveryID)
            #expect(settled.status == "dead")
            #expect(settled.lastError?.contains("modules: must list 1–2,000 modules, found 2001") == true)
            #expect(try await h.count("SELECT count(*) FROM intake.dead_letters WHERE handler = 'drupal.module_sync'") == 1)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_modules") == 0)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_site_modules") == 0)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sync_runs") == 0)
        }
    }

    @Test func theSixtyFirstRequestInAnHourIsRefusedAcrossTwoReceivers() async throws {
        try await StrategyHarness.run { h in
            // Windows are aligned to the hour: start in a fresh one if this one is nearly over.
            let left = try await h.count("SELECT (3600 - floor(extract(epoch FROM now()))::bigint % 3600)::int")
            if left < 30 { try await Task.sleep(for: .seconds(left + 1)) }
            let site = try await h.addSite("busy.example.org")
            let quiet = try await h.addSite("quiet.example.org")
            let second = try await RunningReceiver.start(
                database: TestDatabase.configuration(database: h.database), sources: StrategyHarness.sources())
            let bases = [h.receiver.base, second.base]
            let origin = Date().addingTimeInterval(-7200)
            var accepted = 0
            for index in 0..<60 {
                let body = DrupalBodies.body(
                    [DrupalBodies.module("module_a")], at: origin.addingTimeInterval(Double(index)))
                let answer = try await h.postDrupal(body, key: site.key, base: bases[index % 2])
                if answer.status == 202 { accepted += 1 }
            }
            #expect(accepted == 60)
            let refused = try await h.postDrupal(
                DrupalBodies.body([DrupalBodies.module("module_a")], at: origin.addingTimeInterval(100)), key: site.key,
                base: bases[1])
            #expect(refused.status == 429)
            let retryAfter = Int(refused.headers["retry-after"] ?? "") ?? 0
            #expect(retryAfter >= 1 && retryAfter <= 3600)
            // Per site: another site is not held back.
            let fine = try await h.postDrupal(
                DrupalBodies.body([DrupalBodies.module("module_b")], at: origin), key: quiet.key, base: bases[0])
            #expect(fine.status == 202)
            try await second.stop()
        }
    }

    @Test func keysAddedAndRevokedWithIntakectlTakeEffectWithoutARestart() async throws {
        try await StrategyHarness.run { h in
            let added = try runIntakectl(["sites", "add", "cli.example.org", "--json"], database: h.database)
            #expect(added.status == 0, "\(added.output)")
            let created = (try? JSONSerialization.jsonObject(with: Data(added.output.utf8)) as? [String: Any]) ?? [:]
            let key = try #require(created["api_key"] as? String)
            #expect(DrupalAPIKey.isWellFormed(key))
            // Only the hash is stored.
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sites WHERE api_key_hash = $1", DrupalAPIKey(presented: key)?.storedHash ?? "") == 1)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sites WHERE api_key_hash = $1 OR key_prefix = $1", key) == 0)

            let body = DrupalBodies.body([DrupalBodies.module("module_a")], at: Date().addingTimeInterval(-60))
            #expect(try await h.postDrupal(body, key: key).status == 202)

            let listed = try runIntakectl(["sites", "list"], database: h.database)
            #expect(listed.status == 0)
            #expect(listed.output.contains("cli.example.org"))
            #expect(listed.output.contains(String(key.prefix(12))))
            #expect(!listed.output.contains(key))

            let revoked = try runIntakectl(["sites", "revoke", "cli.example.org"], database: h.database)
            #expect(revoked.status == 0, "\(revoked.output)")
            // The key is in the receiver's 5-second cache (the post above); the revocation's
            // notification empties it, so the very next requests are refused.
            let refused = try await eventually(timeout: .seconds(1), every: .milliseconds(50)) {
                try await h.postDrupal(body, key: key).status == 401
            }
            #expect(refused)
            let unknown = try runIntakectl(["sites", "revoke", "nobody.example.org"], database: h.database)
            #expect(unknown.status != 0)
            #expect(unknown.output.contains("no site named"))
            let duplicate = try runIntakectl(["sites", "add", "cli.example.org"], database: h.database)
            #expect(duplicate.status != 0)
            #expect(duplicate.output.contains("already exists"))
        }
    }
}
