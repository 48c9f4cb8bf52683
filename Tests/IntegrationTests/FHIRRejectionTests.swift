import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeTestSupport
import Testing

@Suite("fhir.subscription refusals", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct FHIRRejectionTests {
    @Test func malformedNotificationsAreDeadLetteredWithTheReasonAndWriteNothing() async throws {
        try await StrategyHarness.run { h in
            // Not JSON: the receiver refuses it; a delivery that got in anyway (a raw source, an
            // edited replay) dies in the handler with the reason.
            let refused = try await h.postFHIR("this is not json")
            #expect(refused.status == 400)
            let raw = try await h.insertDelivery(source: "fhir", body: Array("this is not json".utf8))

            let wrongType = try await h.postFHIR(
                FHIRFixturesR5.fullResource.replacingOccurrences(
                    of: #""type" : "subscription-notification""#, with: #""type" : "transaction""#))
            #expect(wrongType.status == 202)

            // An R4 notification-event without its event-number part; it carries an Encounter
            // that must not be stored.
            let missingPart = try await h.postFHIR(
                FHIRFixturesR4.fullResource
                    .replacingOccurrences(of: #"{ "name" : "event-number", "valueString" : "2" },"#, with: "")
                    .replacingOccurrences(of: #""id" : "r4-notification-full-resource""#, with: #""id" : "missing-part""#))
            #expect(missingPart.status == 202)

            // An R4 status without its `type` parameter.
            let missingType = try await h.postFHIR(
                FHIRFixturesR4.heartbeat
                    .replacingOccurrences(of: #"{ "name" : "type", "valueCode" : "heartbeat" },"#, with: "")
                    .replacingOccurrences(of: #""id" : "r4-notification-heartbeat""#, with: #""id" : "missing-type""#))
            #expect(missingType.status == 202)

            // A full resource the mapper cannot key (no id, no fullUrl): the whole notification
            // is refused, its event not counted.
            let noID = try await h.postFHIR(
                FHIRFixturesR5.multiEventNumericCounters
                    .replacingOccurrences(of: #""id": "example","#, with: "")
                    .replacingOccurrences(
                        of: #""fullUrl" : "https://example.org/fhir/Patient/example", "#, with: ""))
            #expect(noID.status == 202)

            let expectations: [(Int64?, String)] = [
                (raw, "body is not JSON"),
                (wrongType.deliveryID, "Bundle.type must be 'subscription-notification' (R5) or 'history' (Backport), found 'transaction'"),
                (missingPart.deliveryID, "no event-number part"),
                (missingType.deliveryID, "no 'type' parameter"),
                (noID.deliveryID, "Patient has no id"),
            ]
            for (id, reason) in expectations {
                let settled = try await h.settled(id)
                #expect(settled.status == "dead")
                #expect(settled.lastError?.contains(reason) == true, "\(settled.lastError ?? "nil") lacks \(reason)")
                #expect((settled.result["error"] as? String)?.contains(reason) == true)
            }
            #expect(try await h.count("SELECT count(*) FROM intake.dead_letters WHERE handler = 'fhir.subscription'") == 5)
            #expect(try await h.count("SELECT count(*) FROM intake.dead_letters WHERE attempts = 1") == 5)
            for table in ["fhir_subscriptions", "fhir_events", "fhir_event_gaps", "fhir_patients", "fhir_observations", "fhir_resources"] {
                #expect(try await h.count("SELECT count(*) FROM ingest.\(table)") == 0, "ingest.\(table) was written")
            }
        }
    }
}
