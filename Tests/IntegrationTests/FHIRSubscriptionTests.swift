import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeTestSupport
import Testing

/// HL7's example notifications reuse one Bundle id per example and number every event 2; a real
/// server numbers events in sequence and never reuses a Bundle id. These rewrite a fixture as the
/// server's next notification would be.
enum FHIRRenumber {
    static func backport(_ fixture: String, event: Int, bundleSuffix: String) -> String {
        fixture
            .replacingOccurrences(of: #""eventNumber" : "2""#, with: #""eventNumber" : "\#(event)""#)
            .replacingOccurrences(
                of: #"{ "name" : "event-number", "valueString" : "2" }"#,
                with: #"{ "name" : "event-number", "valueString" : "\#(event)" }"#)
            .replacingOccurrences(of: #""id" : "r4"#, with: #""id" : "\#(bundleSuffix)-r4"#)
    }

    static func r5(_ fixture: String, event: Int, bundleID: String) -> String {
        fixture
            .replacingOccurrences(of: #""eventNumber" : "2""#, with: #""eventNumber" : "\#(event)""#)
            .replacingOccurrences(of: #""id" : "3945182f-d315-4dbf-9259-09d863c7e7da""#, with: #""id" : "\#(bundleID)""#)
    }
}

@Suite("fhir.subscription through the receiver", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct FHIRSubscriptionTests {
    /// handshake → id-only #1 → heartbeat (2 sent: #2 missing) → full-resource #2 (fills it) →
    /// multi-resource #3 → the same event again in a new bundle (ignored) → #5 (#4 missing).
    @Test(arguments: ["r4-backport", "r4b-backport"])
    func backportExamplesAreHandledInSequence(form: String) async throws {
        let fixtures: (handshake: String, heartbeat: String, idOnly: String, full: String, multi: String) =
            form == "r4-backport"
            ? (FHIRFixturesR4.handshake, FHIRFixturesR4.heartbeat, FHIRFixturesR4.idOnly, FHIRFixturesR4.fullResource,
               FHIRFixturesR4.multiResource)
            : (FHIRFixturesR4B.handshake, FHIRFixturesR4B.heartbeat, FHIRFixturesR4B.idOnly,
               FHIRFixturesR4B.fullResource, FHIRFixturesR4B.multiResource)
        try await StrategyHarness.run { h in
            let subscription = "https://example.org/fhir/Subscription/admission"
            var results: [[String: Any]] = []
            for text in [
                fixtures.handshake,
                FHIRRenumber.backport(fixtures.idOnly, event: 1, bundleSuffix: "n1"),
                fixtures.heartbeat,
                fixtures.full,
                FHIRRenumber.backport(fixtures.multi, event: 3, bundleSuffix: "n3"),
                FHIRRenumber.backport(fixtures.multi, event: 3, bundleSuffix: "n3-retry"),
                FHIRRenumber.backport(fixtures.multi, event: 5, bundleSuffix: "n5"),
            ] {
                let posted = try await h.postFHIR(text)
                #expect(posted.status == 202, "\(posted.text)")
                let settled = try await h.settled(posted.deliveryID)
                #expect(settled.status == "succeeded", "\(settled.lastError ?? "")")
                #expect(settled.result["form"] as? String == form)
                results.append(settled.result)
            }
            #expect(results[1].int("last_event_number") == 1)
            #expect((results[2]["gaps_opened"] as? [[String: Any]])?.first?.int("first_missing") == 2)
            #expect(results[3].int("gaps_filled") == 1)
            #expect(results[3].object("resources_stored").int("Encounter") == 1)
            #expect(results[4].object("resources_stored").int("Patient") == 1)
            #expect((results[5]["events_repeated"] as? [Any])?.count == 1)
            #expect(results[5].int("resources_ignored") == 2)
            #expect(results[5].object("resources_stored").isEmpty)
            #expect((results[6]["gaps_opened"] as? [[String: Any]])?.first?.int("last_missing") == 4)

            // The same bundle posted twice is a duplicate at the receiver already.
            let resent = try await h.postFHIR(fixtures.full)
            #expect(resent.status == 200)

            let events = try await h.db.query(
                "SELECT event_number, has_resource FROM ingest.fhir_events WHERE subscription_reference = $1 ORDER BY 1",
                subscription)
            #expect(try events.map { "\(try $0.decode(Int.self, at: 0)):\(try $0.decode(Bool.self, at: 1))" } == ["1:false", "2:true", "3:true", "5:true"])
            let gaps = try await h.db.query(
                """
                SELECT expected, received, coalesce(resolution, 'open') FROM ingest.fhir_event_gaps
                WHERE subscription_reference = $1 ORDER BY expected
                """, subscription)
            #expect(try gaps.map { "\(try $0.decode(Int.self, at: 0))..<\(try $0.decode(Int.self, at: 1)) \(try $0.decode(String.self, at: 2))" } == ["2..<3 filled", "4..<5 open"])
            let patient = try await h.db.query("SELECT family_name, mrn FROM ingest.fhir_patients")
            #expect(patient.count == 1)
            #expect(try await h.count("SELECT count(*) FROM ingest.fhir_resources WHERE resource_type = 'Encounter'") == 1)
            let sub = try await h.db.query(
                "SELECT status, last_event_number, form FROM ingest.fhir_subscriptions WHERE subscription_reference = $1",
                subscription)
            #expect(try sub[0].decode(String.self, at: 0) == "active")
            #expect(try sub[0].decode(Int.self, at: 1) == 5)
            #expect(try sub[0].decode(String.self, at: 2) == form)

            // Shown by `intakectl fhir gaps` and `intakectl status`.
            let listed = try runIntakectl(["fhir", "gaps"], database: h.database)
            #expect(listed.status == 0, "\(listed.output)")
            #expect(listed.output.contains(subscription))
            #expect(listed.output.split(separator: "\n").contains { $0.contains(subscription) && $0.contains(" 4 ") })
            let all = try runIntakectl(["fhir", "gaps", "--all", "--json", "--subscription", subscription], database: h.database)
            let lines = (try? JSONSerialization.jsonObject(with: Data(all.output.utf8)) as? [[String: Any]]) ?? []
            #expect(lines.count == 2)
            #expect(lines.first?["resolution"] as? String == "filled")
            let status = try runIntakectl(["status"], database: h.database)
            #expect(status.output.contains("FHIR GAPS"))
            #expect(status.output.contains("1 open gap, 1 event missing: 4"))

            if form == "r4-backport" {
                // query-status reporting an error, with a counter below the events seen.
                let error = try await h.settled(try await h.postFHIR(FHIRFixturesR4.error).deliveryID)
                #expect(error.status == "succeeded")
                #expect(error.result.strings("warnings").contains { $0.contains("went back below") })
                let state = try await h.db.query(
                    "SELECT status, errors::text FROM ingest.fhir_subscriptions WHERE subscription_reference = $1",
                    subscription)
                #expect(try state[0].decode(String.self, at: 0) == "error")
                #expect(try state[0].decode(String.self, at: 1).contains("no-response"))
            }
        }
    }

    /// R5: handshake → id-only #1 → full-resource #2 (the example as published) → heartbeat
    /// (310 sent: #3–#310 missing); and a second subscription whose counters are JSON numbers.
    @Test func r5ExamplesAreHandledAndResourcesMapped() async throws {
        try await StrategyHarness.run { h in
            let subscription = "http://example.org/FHIR/R5/Subscription/123"
            var results: [[String: Any]] = []
            for text in [
                FHIRFixturesR5.handshake, FHIRRenumber.r5(FHIRFixturesR5.idOnly, event: 1, bundleID: "r5-id-only-1"),
                FHIRFixturesR5.fullResource, FHIRFixturesR5.heartbeat, FHIRFixturesR5.multiEventNumericCounters,
            ] {
                let posted = try await h.postFHIR(text, contentType: "application/fhir+json; fhirVersion=5.0")
                #expect(posted.status == 202, "\(posted.text)")
                let settled = try await h.settled(posted.deliveryID)
                #expect(settled.status == "succeeded", "\(settled.lastError ?? "")")
                results.append(settled.result)
            }
            #expect(results[0]["type"] as? String == "handshake")
            #expect((results[1]["events_accepted"] as? [Any])?.count == 1)
            #expect(results[2].object("resources_stored").int("Encounter") == 1)
            let heartbeatGap = (results[3]["gaps_opened"] as? [[String: Any]])?.first
            #expect(heartbeatGap?.int("first_missing") == 3)
            #expect(heartbeatGap?.int("last_missing") == 310)
            #expect(results[4].object("resources_stored").int("Patient") == 1)
            #expect(results[4].object("resources_stored").int("Observation") == 1)

            let observation = try await h.db.query(
                "SELECT code, value_numeric::text, unit, subject_reference, effective_at IS NOT NULL FROM ingest.fhir_observations")
            #expect(observation.count == 1)
            #expect(try observation.first?.decode(String?.self, at: 0) != nil)
            #expect(try observation.first?.decode(String?.self, at: 1) != nil)
            let patient = try await h.db.query("SELECT family_name, birth_date IS NOT NULL, mrn FROM ingest.fhir_patients")
            #expect(patient.count == 1)
            #expect(try patient.first?.decode(String?.self, at: 0) != nil)
            let idOnly = try await h.db.query(
                "SELECT focus_reference, has_resource FROM ingest.fhir_events WHERE subscription_reference = $1 AND event_number = 1",
                subscription)
            #expect(try idOnly.first?.decode(String.self, at: 0) == "http://example.org/FHIR/R5/Encounter/2")
            #expect(try idOnly.first?.decode(Bool.self, at: 1) == false)
            #expect(try await h.count("SELECT count(*) FROM ingest.fhir_events WHERE subscription_reference = 'https://example.org/fhir/Subscription/labs'") == 2)
            let listed = try runIntakectl(["fhir", "gaps", "--subscription", subscription], database: h.database)
            #expect(listed.output.contains("3–310"))
            #expect(listed.output.contains("308"))
        }
    }

    /// Two consumer lanes handle notifications of one subscription at once, in any order: the
    /// row lock makes every counter update see the one before, so no event is lost or counted
    /// twice and every gap a reordering opened is filled again.
    @Test func concurrentNotificationsOfOneSubscriptionCountEveryEventOnce() async throws {
        try await StrategyHarness.run { h in
            let subscription = "http://example.org/FHIR/R5/Subscription/123"
            let handshake = try await h.postFHIR(FHIRFixturesR5.handshake)
            #expect(try await h.settled(handshake.deliveryID).status == "succeeded")
            let answers = try await withThrowingTaskGroup(of: TestClient.Answer.self) { group in
                for event in 1...24 {
                    group.addTask {
                        try await h.postFHIR(FHIRRenumber.r5(FHIRFixturesR5.idOnly, event: event, bundleID: "burst-\(event)"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 202 })
            for answer in answers { _ = try await h.settled(answer.deliveryID) }
            #expect(try await h.count("SELECT count(*) FROM ingest.fhir_events WHERE subscription_reference = $1", subscription) == 24)
            #expect(try await h.count("SELECT count(*) FROM ingest.fhir_event_gaps WHERE resolved_at IS NULL") == 0)
            #expect(
                try await h.count(
                    "SELECT last_event_number::int FROM ingest.fhir_subscriptions WHERE subscription_reference = $1",
                    subscription) == 24)
            #expect(try await h.count("SELECT count(*) FROM intake.deliveries WHERE status <> 'succeeded'") == 0)
        }
    }
}
