/// Subscriptions Backport IG examples for FHIR R4 (hl7.org/fhir/uv/subscriptions-backport,
/// STU 1.1: Bundle-r4-notification-handshake, -heartbeat, -id-only, -full-resource,
/// -multi-resource, -error), reconstructed from the IG's published JSON and FSH sources.
public enum FHIRFixturesR4 {
    public static let handshake = #"""
        {
          "resourceType" : "Bundle",
          "id" : "r4-notification-handshake",
          "meta" : {
            "profile" : ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4"]
          },
          "type" : "history",
          "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:63c28e8a-f402-43e4-beb2-75b1c0f6833f",
            "resource" : {
              "resourceType" : "Parameters",
              "id" : "63c28e8a-f402-43e4-beb2-75b1c0f6833f",
              "meta" : {
                "profile" : ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4"]
              },
              "parameter" : [{
                "name" : "subscription",
                "valueReference" : {
                  "reference" : "https://example.org/fhir/Subscription/admission"
                }
              },
              {
                "name" : "topic",
                "valueCanonical" : "http://hl7.org/SubscriptionTopic/admission"
              },
              {
                "name" : "status",
                "valueCode" : "requested"
              },
              {
                "name" : "type",
                "valueCode" : "handshake"
              },
              {
                "name" : "events-since-subscription-start",
                "valueString" : "0"
              }]
            },
            "request" : {
              "method" : "GET",
              "url" : "https://example.org/fhir/Subscription/admission/$status"
            },
            "response" : {
              "status" : "200"
            }
          }]
        }
        """#

    public static let heartbeat = parameters(
        bundleID: "r4-notification-heartbeat", statusID: "385b23bd-6d03-462e-894d-a0694045d65c",
        status: "active", type: "heartbeat", sinceStart: "2")

    public static let idOnly = parameters(
        bundleID: "r4-notification-id-only", statusID: "292d3c72-edc1-4d8a-afaa-d85e19c7f563",
        status: "active", type: "event-notification", sinceStart: "2",
        extraParameters: [firstEvent(focus: true, context: false)])

    public static let fullResource = parameters(
        bundleID: "r4-notification-full-resource", statusID: "2d5afc69-6ef2-420f-a8d1-8500c99eb96c",
        status: "active", type: "event-notification", sinceStart: "2",
        extraParameters: [firstEvent(focus: true, context: false)],
        moreEntries: [FHIRFixturesResources.backportEncounterEntry])

    public static let multiResource = parameters(
        bundleID: "r4-notification-multi-resource", statusID: "7bd91d26-c951-4520-9ac6-67f41bfbe897",
        status: "active", type: "event-notification", sinceStart: "2",
        extraParameters: [firstEvent(focus: true, context: true)],
        moreEntries: [FHIRFixturesResources.backportEncounterEntry, FHIRFixturesResources.backportPatientEntry])

    public static let error = parameters(
        bundleID: "r4-notification-error", statusID: "7bd91d26-c951-4520-9ac6-67f41bfbe897",
        status: "error", type: "query-status", sinceStart: "3",
        extraParameters: [
            #"""
            {
                "name" : "error",
                "valueCodeableConcept" : {
                  "coding" : [{
                    "system" : "http://terminology.hl7.org/CodeSystem/subscription-error",
                    "code" : "no-response"
                  }]
                }
              }
            """#
        ])

    /// The IG's `AddParameterStatusFirstEvent` (+ `…EventFocus`, `…EventContext`) rule sets.
    private static func firstEvent(focus: Bool, context: Bool) -> String {
        var parts = [
            #"{ "name" : "event-number", "valueString" : "2" }"#,
            #"{ "name" : "timestamp", "valueInstant" : "2020-05-29T11:44:13.1882432-05:00" }"#,
        ]
        if focus {
            parts.append(
                #"{ "name" : "focus", "valueReference" : { "reference" : "https://example.org/fhir/Encounter/86009987-eabe-42bf-8c02-b112b18cb616" } }"#
            )
        }
        if context {
            parts.append(
                #"{ "name" : "additional-context", "valueReference" : { "reference" : "https://example.org/fhir/Patient/1599eb66-431a-447c-a3de-6897fe9ae9a1" } }"#
            )
        }
        return #"{ "name" : "notification-event", "part" : ["# + parts.joined(separator: ",\n") + "] }"
    }

    /// The IG's `AddParameterStatus` rule set: every R4 example shares this status entry.
    public static func parameters(
        bundleID: String, statusID: String, status: String, type: String, sinceStart: String,
        extraParameters: [String] = [], moreEntries: [String] = []
    ) -> String {
        """
        {
          "resourceType" : "Bundle",
          "id" : "\(bundleID)",
          "meta" : {
            "profile" : ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4"]
          },
          "type" : "history",
          "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:\(statusID)",
            "resource" : {
              "resourceType" : "Parameters",
              "id" : "\(statusID)",
              "meta" : {
                "profile" : ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4"]
              },
              "parameter" : [
                { "name" : "subscription", "valueReference" : { "reference" : "https://example.org/fhir/Subscription/admission" } },
                { "name" : "topic", "valueCanonical" : "http://hl7.org/SubscriptionTopic/admission" },
                { "name" : "status", "valueCode" : "\(status)" },
                { "name" : "type", "valueCode" : "\(type)" },
                { "name" : "events-since-subscription-start", "valueString" : "\(sinceStart)" }\(extraParameters.map { ",\n" + $0 }.joined())
              ]
            },
            "request" : {
              "method" : "GET",
              "url" : "https://example.org/fhir/Subscription/admission/$status"
            },
            "response" : {
              "status" : "200"
            }
          }\(moreEntries.map { ",\n" + $0 }.joined())]
        }
        """
    }
}
