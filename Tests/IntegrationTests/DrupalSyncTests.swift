import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeTestSupport
import Testing

/// Module-sync request bodies.
enum DrupalBodies {
    static func module(_ machineName: String, version: String = "8.x-1.0") -> String {
        """
        {"machine_name":"\(machineName)","name":"\(machineName) module","type":"contrib","version":"\(version)",\
        "status":true,"package":"Testing","core_compatibility":["9.x","10.x"],"dependencies":["system"],\
        "description":"The \(machineName) module.","project_link":"https://www.drupal.org/project/\(machineName)"}
        """
    }

    static func body(_ modules: [String], syncType: String = "full", at timestamp: Date) -> [UInt8] {
        Array(
            """
            {"site_info":{"name":"Example","environment":"production"},"modules":[\(modules.joined(separator: ","))],\
            "sync_timestamp":"\(RFC3339DateTime.format(timestamp))","drupal_version":"10.2.3","php_version":"8.2.15",\
            "sync_type":"\(syncType)"}
            """.utf8)
    }

    static func names(_ range: Range<Int>) -> [String] { range.map { String(format: "module_%04d", $0) } }
}

@Suite("drupal.module_sync through the receiver", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct DrupalSyncTests {
    @Test func fullPartialAndFullSyncCountChangesAndKeepVersionHistory() async throws {
        try await StrategyHarness.run { h in
            let site = try await h.addSite("www.example.org")
            let names = DrupalBodies.names(0..<2000)
            let start = Date().addingTimeInterval(-3600)

            // 1. A full sync of 2,000 modules: all new.
            let first = try await h.postDrupal(
                DrupalBodies.body(names.map { DrupalBodies.module($0) }, at: start), key: site.key)
            #expect(first.status == 202)
            #expect(first.headers["location"] == "/deliveries/\(first.deliveryID ?? 0)")
            let one = try await h.settled(first.deliveryID)
            #expect(one.status == "succeeded", "\(one.lastError ?? "")")
            #expect(one.result.int("processed_count") == 2000)
            #expect(one.result.int("new_modules") == 2000)
            #expect(one.result.int("updated_modules") == 0)
            #expect(one.result.int("removed_modules") == 0)
            #expect(one.result["outcome"] as? String == "applied")
            #expect(one.result.int("processing_time_ms") != nil)

            // The site sees the same result through GET /deliveries/{id}.
            let status = try await h.deliveryStatus(first.deliveryID ?? 0, key: site.key)
            #expect(status.status == 200)
            #expect(status.json["status"] as? String == "succeeded")
            #expect(status.json.object("result").int("new_modules") == 2000)

            // 2. A partial sync: 50 upgraded (one of them affected by an advisory), 3 new modules.
            try await h.db.query(
                """
                INSERT INTO ingest.drupal_advisories (advisory_id, machine_name, affected_versions, severity)
                VALUES ('SA-CONTRIB-2024-042', 'module_0011', '< 8.x-1.2', 'critical')
                """)
            let partialModules =
                names[10..<60].map { DrupalBodies.module($0, version: "8.x-1.1") }
                + ["extra_a", "extra_b", "extra_c"].map { DrupalBodies.module($0) }
            let second = try await h.postDrupal(
                DrupalBodies.body(partialModules, syncType: "partial", at: start.addingTimeInterval(60)), key: site.key)
            let two = try await h.settled(second.deliveryID)
            #expect(two.status == "succeeded", "\(two.lastError ?? "")")
            #expect(two.result.int("processed_count") == 53)
            #expect(two.result.int("new_modules") == 3)
            #expect(two.result.int("updated_modules") == 50)
            #expect(two.result.int("removed_modules") == 0)
            #expect(two.result.int("security_updates_found") == 1)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_site_modules WHERE removed_at IS NULL") == 2003)

            // 3. A full sync with 10 modules gone and 5 upgraded to a new major version.
            var fullModules: [String] = []
            for (index, name) in names.enumerated() where index >= 10 {
                let version = (10..<60).contains(index) ? "8.x-1.1" : (60..<65).contains(index) ? "8.x-2.0" : "8.x-1.0"
                fullModules.append(DrupalBodies.module(name, version: version))
            }
            fullModules += ["extra_a", "extra_b", "extra_c"].map { DrupalBodies.module($0) }
            let third = try await h.postDrupal(
                DrupalBodies.body(fullModules, at: start.addingTimeInterval(120)), key: site.key)
            let three = try await h.settled(third.deliveryID)
            #expect(three.status == "succeeded", "\(three.lastError ?? "")")
            #expect(three.result.int("processed_count") == 1993)
            #expect(three.result.int("new_modules") == 0)
            #expect(three.result.int("updated_modules") == 5)
            #expect(three.result.int("removed_modules") == 10)

            // The site's module set and its history.
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_site_modules WHERE removed_at IS NULL") == 1993)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_site_modules WHERE removed_at IS NOT NULL") == 10)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_modules") == 2003)
            let changes = try await h.db.query(
                "SELECT change, count(*) FROM ingest.drupal_site_module_history GROUP BY 1 ORDER BY 1")
            let byChange = Dictionary(
                uniqueKeysWithValues: try changes.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) })
            #expect(byChange == ["added": 2003, "upgraded": 55, "removed": 10])
            let history = try await h.db.query(
                """
                SELECT h.change, coalesce(h.previous_version, '-'), coalesce(h.version, '-')
                FROM ingest.drupal_site_module_history h JOIN ingest.drupal_modules m ON m.id = h.module_id
                WHERE m.machine_name = $1 ORDER BY h.observed_at, h.id
                """, "module_0060")
            let lines = try history.map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))→\(try $0.decode(String.self, at: 2))" }
            #expect(lines == ["added -→8.x-1.0", "upgraded 8.x-1.0→8.x-2.0"])
            #expect(
                try await h.count(
                    """
                    SELECT count(*) FROM ingest.drupal_module_versions v JOIN ingest.drupal_modules m ON m.id = v.module_id
                    WHERE m.machine_name = 'module_0060'
                    """) == 2)
            let removed = try await h.db.query(
                """
                SELECT h.previous_version FROM ingest.drupal_site_module_history h
                JOIN ingest.drupal_modules m ON m.id = h.module_id WHERE m.machine_name = 'module_0005' AND h.change = 'removed'
                """)
            #expect(try removed.first?.decode(String.self, at: 0) == "8.x-1.0")
            // The advisory flagged the affected version.
            let flagged = try await h.db.query(
                """
                SELECT v.version FROM ingest.drupal_module_versions v JOIN ingest.drupal_modules m ON m.id = v.module_id
                WHERE 'SA-CONTRIB-2024-042' = ANY(v.security_advisories)
                """)
            #expect(try flagged.map { try $0.decode(String.self, at: 0) } == ["8.x-1.1"])
            // One run per sync, and the site's last sync is the third.
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sync_runs WHERE outcome = 'applied'") == 3)
            let last = try await h.db.query("SELECT last_sync_timestamp FROM ingest.drupal_sites WHERE id = $1", site.id)
            let lastTimestamp = try last[0].decode(Date.self, at: 0)
            #expect(abs(lastTimestamp.timeIntervalSince(start.addingTimeInterval(120))) < 0.001)

            // Handling the last delivery again changes nothing and reports the same run.
            try await h.db.query(
                "UPDATE intake.deliveries SET status = 'pending', run_at = now() WHERE id = $1", third.deliveryID ?? 0)
            let again = try await h.settled(third.deliveryID)
            #expect(again.result["duplicate"] as? Bool == true)
            #expect(again.result.int("removed_modules") == 10)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sync_runs") == 3)
        }
    }

    @Test func anOlderSyncArrivingLaterIsRecordedAsSupersededAndChangesNothing() async throws {
        try await StrategyHarness.run { h in
            let site = try await h.addSite("late.example.org")
            let now = Date().addingTimeInterval(-600)
            let newer = try await h.postDrupal(
                DrupalBodies.body(DrupalBodies.names(0..<5).map { DrupalBodies.module($0, version: "2.0.0") }, at: now),
                key: site.key)
            #expect(try await h.settled(newer.deliveryID).status == "succeeded")
            let older = try await h.postDrupal(
                DrupalBodies.body(
                    DrupalBodies.names(0..<3).map { DrupalBodies.module($0, version: "1.0.0") },
                    at: now.addingTimeInterval(-60)),
                key: site.key)
            let settled = try await h.settled(older.deliveryID)
            #expect(settled.status == "succeeded")
            #expect(settled.result["outcome"] as? String == "superseded")
            #expect(settled.result.int("processed_count") == 0)
            #expect(settled.result.strings("warnings").first?.contains("later sync wins") == true)
            #expect(try await h.count("SELECT count(*) FROM ingest.drupal_sync_runs WHERE outcome = 'superseded'") == 1)
            // Nothing removed, nothing downgraded.
            #expect(
                try await h.count(
                    """
                    SELECT count(*) FROM ingest.drupal_site_modules s JOIN ingest.drupal_module_versions v ON v.id = s.version_id
                    WHERE v.version = '2.0.0' AND s.removed_at IS NULL
                    """) == 5)
        }
    }
}
