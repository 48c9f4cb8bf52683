import Foundation
import IntakeTestSupport
import Testing

@testable import IntakeHandlers

@Suite("FHIR notification parsing")
struct FHIRNotificationTests {
    static func parse(_ text: String) throws -> FHIRNotification {
        try FHIRNotification.parse(Array(text.utf8))
    }

    static let backportEncounter = "https://example.org/fhir/Encounter/86009987-eabe-42bf-8c02-b112b18cb616"
    static let backportPatient = "https://example.org/fhir/Patient/1599eb66-431a-447c-a3de-6897fe9ae9a1"

    @Test("handshakes in all three forms")
    func handshakes() throws {
        let r5 = try Self.parse(FHIRFixturesR5.handshake)
        #expect(r5.form == .r5)
        #expect(r5.type == .handshake)
        #expect(r5.status == "requested")
        #expect(r5.subscriptionReference == "http://example.org/FHIR/R5/Subscription/123")
        #expect(r5.topic == "http://example.org/FHIR/R5/SubscriptionTopic/admission")
        #expect(r5.eventsSinceSubscriptionStart == 0)
        #expect(r5.events.isEmpty && r5.resources.isEmpty)
        #expect(r5.bundleID == "54f808cf-d159-4c9b-accb-c33eb20f0ecc")
        #expect(r5.bundleTimestamp == "2020-04-17T10:24:13.1882432-05:00")

        for (fixture, form) in [(FHIRFixturesR4B.handshake, FHIRNotification.Form.r4bBackport), (FHIRFixturesR4.handshake, .r4Backport)] {
            let notification = try Self.parse(fixture)
            #expect(notification.form == form)
            #expect(notification.type == .handshake)
            #expect(notification.status == "requested")
            #expect(notification.subscriptionReference == "https://example.org/fhir/Subscription/admission")
            #expect(notification.topic == "http://hl7.org/SubscriptionTopic/admission")
            #expect(notification.eventsSinceSubscriptionStart == 0)
            #expect(notification.trackedEventNumbers.isEmpty)
        }
    }

    @Test("heartbeats in all three forms")
    func heartbeats() throws {
        let r5 = try Self.parse(FHIRFixturesR5.heartbeat)
        #expect(r5.form == .r5 && r5.type == .heartbeat && r5.eventsSinceSubscriptionStart == 310)
        let r4b = try Self.parse(FHIRFixturesR4B.heartbeat)
        #expect(r4b.form == .r4bBackport && r4b.type == .heartbeat && r4b.eventsSinceSubscriptionStart == 2)
        let r4 = try Self.parse(FHIRFixturesR4.heartbeat)
        #expect(r4.form == .r4Backport && r4.type == .heartbeat && r4.eventsSinceSubscriptionStart == 2)
        #expect(r4.status == "active")
    }

    @Test("id-only notifications carry focus references and no resources")
    func idOnly() throws {
        let r5 = try Self.parse(FHIRFixturesR5.idOnly)
        #expect(r5.events == [FHIRNotification.Event(eventNumber: 2, focusReference: "http://example.org/FHIR/R5/Encounter/2")])
        #expect(r5.resources.isEmpty)
        for fixture in [FHIRFixturesR4B.idOnly, FHIRFixturesR4.idOnly] {
            let notification = try Self.parse(fixture)
            #expect(notification.type == .eventNotification)
            #expect(
                notification.events == [
                    FHIRNotification.Event(
                        eventNumber: 2, focusReference: Self.backportEncounter,
                        timestamp: "2020-05-29T11:44:13.1882432-05:00")
                ])
            #expect(notification.resources.isEmpty)
            #expect(notification.trackedEventNumbers == [2])
        }
    }

    @Test("full-resource notifications carry the resource from the next entry")
    func fullResource() throws {
        let r5 = try Self.parse(FHIRFixturesR5.fullResource)
        #expect(r5.resources.count == 1)
        let encounter = try #require(r5.resources.first)
        #expect(encounter.resourceType == "Encounter" && encounter.id == "2")
        #expect(encounter.requestMethod == "PUT")
        #expect(encounter.json["status"] == .string("in-progress"))

        for fixture in [FHIRFixturesR4B.fullResource, FHIRFixturesR4.fullResource] {
            let notification = try Self.parse(fixture)
            #expect(notification.events.map(\.focusReference) == [Self.backportEncounter])
            #expect(notification.resources.map(\.resourceType) == ["Encounter"])
            #expect(notification.resources.first?.id == "86009987-eabe-42bf-8c02-b112b18cb616")
            #expect(notification.resources.first?.fullURL == Self.backportEncounter)
            #expect(notification.resources.first?.requestMethod == "POST")
        }
    }

    @Test("multi-resource notifications keep every resource and the additional context")
    func multiResource() throws {
        for (fixture, form) in [(FHIRFixturesR4B.multiResource, FHIRNotification.Form.r4bBackport), (FHIRFixturesR4.multiResource, .r4Backport)] {
            let notification = try Self.parse(fixture)
            #expect(notification.form == form)
            #expect(notification.resources.map(\.resourceType) == ["Encounter", "Patient"])
            #expect(notification.events.first?.additionalContext == [Self.backportPatient])
        }
    }

    @Test("several events with counters sent as numbers")
    func numericCounters() throws {
        let notification = try Self.parse(FHIRFixturesR5.multiEventNumericCounters)
        #expect(notification.eventsSinceSubscriptionStart == 12)
        #expect(notification.events.map(\.eventNumber) == [11, 12])
        #expect(notification.events.map(\.focusReference) == [
            "https://example.org/fhir/Observation/f001", "https://example.org/fhir/Patient/example",
        ])
        #expect(notification.resources.map(\.resourceType) == ["Observation", "Patient"])
    }

    @Test("R4 counters as valueString or as a number value[x] read alike")
    func r4CounterTypes() throws {
        let asNumbers = FHIRFixturesR4.idOnly
            .replacingOccurrences(of: #""valueString" : "2""#, with: #""valueUnsignedInt" : 2"#)
        #expect(asNumbers != FHIRFixturesR4.idOnly)
        let notification = try Self.parse(asNumbers)
        #expect(notification.eventsSinceSubscriptionStart == 2)
        #expect(notification.events.map(\.eventNumber) == [2])
    }

    @Test("a query-status with an error reports the subscription's error codes")
    func errorStatus() throws {
        let notification = try Self.parse(FHIRFixturesR4.error)
        #expect(notification.type == .queryStatus)
        #expect(notification.status == "error")
        #expect(notification.eventsSinceSubscriptionStart == 3)
        #expect(notification.subscriptionErrors == ["http://terminology.hl7.org/CodeSystem/subscription-error|no-response"])
    }

    @Test("an event-notification without events is tracked by its counter")
    func counterOnlyEvent() throws {
        let withoutEvents = FHIRFixturesR4.parameters(
            bundleID: "b", statusID: "s", status: "active", type: "event-notification", sinceStart: "7")
        #expect(try Self.parse(withoutEvents).trackedEventNumbers == [7])
    }

    @Test(
        "malformed notifications are permanent errors with a clear message",
        arguments: [
            ("not json", "body is not JSON: invalid JSON at byte 0"),
            (#"[]"#, "expected a Bundle object, found an array"),
            (#"{"resourceType": "Patient"}"#, "expected resourceType 'Bundle', found 'Patient'"),
            (#"{"resourceType": "Bundle", "type": "transaction", "entry": []}"#, "Bundle.type must be"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": []}"#, "the Bundle has no entries"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"fullUrl": "x"}]}"#, "entry[0] has no resource"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "Encounter"}}]}"#,
             "entry[0].resource has resourceType 'Encounter'; a notification starts with"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "SubscriptionStatus", "type": "handshake"}}]}"#,
             "entry[0].resource.subscription.reference is missing"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "SubscriptionStatus", "subscription": {"reference": "S/1"}, "type": "ping"}}]}"#,
             "entry[0].resource.type: 'ping' is not one of"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "SubscriptionStatus", "subscription": {"reference": "S/1"}, "type": "heartbeat", "eventsSinceSubscriptionStart": "-3"}}]}"#,
             #"entry[0].resource.eventsSinceSubscriptionStart: "-3" is not a non-negative integer"#),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "SubscriptionStatus", "subscription": {"reference": "S/1"}, "type": "event-notification", "notificationEvent": [{"eventNumber": 1.5}]}}]}"#,
             "entry[0].resource.notificationEvent[0].eventNumber: 1.5 is not a non-negative integer"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "Parameters", "parameter": [{"name": "type", "valueCode": "heartbeat"}]}}]}"#,
             "entry[0].resource has no 'subscription' parameter"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "Parameters", "parameter": [{"name": "subscription", "valueReference": {"reference": "S/1"}}, {"name": "type", "valueCode": "event-notification"}, {"name": "notification-event", "part": [{"name": "focus", "valueReference": {"reference": "P/1"}}]}]}}]}"#,
             "a notification-event has no event-number part"),
            (#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "SubscriptionStatus", "subscription": {"reference": "S/1"}, "type": "heartbeat"}}, {"resource": {"id": "1"}}]}"#,
             "entry[1].resource has no resourceType"),
        ])
    func malformed(_ row: (String, String)) {
        do {
            let notification = try FHIRNotification.parse(Array(row.0.utf8))
            Issue.record("parsed unexpectedly: \(notification)")
        } catch {
            #expect(error.isPermanent)
            #expect(error.message.contains(row.1), "\(error.message)")
        }
    }

    @Test("resource ids fall back to the entry's fullUrl")
    func idFromFullURL() {
        #expect(FHIRNotification.idFromFullURL("https://example.org/fhir/Patient/123", resourceType: "Patient") == "123")
        #expect(FHIRNotification.idFromFullURL("https://x/Patient/123/_history/4", resourceType: "Patient") == "123")
        #expect(FHIRNotification.idFromFullURL("urn:uuid:abc", resourceType: "Patient") == nil)
        #expect(FHIRNotification.idFromFullURL("https://x/Observation/1", resourceType: "Patient") == nil)
    }
}
