/// Subscriptions Backport IG examples for FHIR R4B (hl7.org/fhir/uv/subscriptions-backport,
/// STU 1.1: Bundle-r4b-notification-handshake, -heartbeat, -id-only, -full-resource,
/// -multi-resource), reconstructed from the IG's published JSON and FSH sources. The handshake
/// keeps its generated narrative; the others drop it.
public enum FHIRFixturesR4B {
    public static let handshake = #"""
        {
          "resourceType" : "Bundle",
          "id" : "r4b-notification-handshake",
          "meta" : {
            "profile" : ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification"]
          },
          "type" : "history",
          "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:9d98f2be-4067-4b90-b0ec-6d3308d75c8e",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "id" : "9d98f2be-4067-4b90-b0ec-6d3308d75c8e",
              "text" : {
                "status" : "generated",
                "div" : "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Generated Narrative: SubscriptionStatus</b><a name=\"9d98f2be-4067-4b90-b0ec-6d3308d75c8e\"> </a></p><div style=\"display: inline-block; background-color: #d9e0e7; padding: 6px; margin: 4px; border: 1px solid #8da1b4; border-radius: 5px; line-height: 60%\"><p style=\"margin-bottom: 0px\">Resource SubscriptionStatus \"9d98f2be-4067-4b90-b0ec-6d3308d75c8e\" </p></div><p><b>status</b>: requested</p><p><b>type</b>: handshake</p><p><b>eventsSinceSubscriptionStart</b>: 0</p><p><b>subscription</b>: <a href=\"https://example.org/fhir/Subscription/admission\">https://example.org/fhir/Subscription/admission</a></p><p><b>topic</b>: <a href=\"http://hl7.org/SubscriptionTopic/admission\">http://hl7.org/SubscriptionTopic/admission</a></p></div>"
              },
              "status" : "requested",
              "type" : "handshake",
              "eventsSinceSubscriptionStart" : "0",
              "subscription" : {
                "reference" : "https://example.org/fhir/Subscription/admission"
              },
              "topic" : "http://hl7.org/SubscriptionTopic/admission"
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

    public static let heartbeat = status(
        bundleID: "r4b-notification-heartbeat", statusID: "8971bd8c-4bd2-4612-9bae-c24cf4fd9e1f",
        status: "active", type: "heartbeat", sinceStart: "2", events: "")

    public static let idOnly = status(
        bundleID: "r4b-notification-id-only", statusID: "3dd3c88d-1f7c-40ce-bf41-6b0d8186c311",
        status: "active", type: "event-notification", sinceStart: "2",
        events: #"""
            ,
                  "notificationEvent" : [{
                    "eventNumber" : "2",
                    "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
                    "focus" : {
                      "reference" : "https://example.org/fhir/Encounter/86009987-eabe-42bf-8c02-b112b18cb616"
                    }
                  }]
            """#)

    public static let fullResource = status(
        bundleID: "r4b-notification-full-resource", statusID: "120e93df-a9ab-4b01-b0e2-6660338e5927",
        status: "active", type: "event-notification", sinceStart: "2",
        events: #"""
            ,
                  "notificationEvent" : [{
                    "eventNumber" : "2",
                    "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
                    "focus" : {
                      "reference" : "https://example.org/fhir/Encounter/86009987-eabe-42bf-8c02-b112b18cb616"
                    }
                  }]
            """#,
        moreEntries: [FHIRFixturesResources.backportEncounterEntry])

    public static let multiResource = status(
        bundleID: "r4b-notification-multi-resource", statusID: "f05e460f-4d56-4fa0-8e60-502404e68be5",
        status: "active", type: "event-notification", sinceStart: "2",
        events: #"""
            ,
                  "notificationEvent" : [{
                    "eventNumber" : "2",
                    "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
                    "focus" : {
                      "reference" : "https://example.org/fhir/Encounter/86009987-eabe-42bf-8c02-b112b18cb616"
                    },
                    "additionalContext" : [{
                      "reference" : "https://example.org/fhir/Patient/1599eb66-431a-447c-a3de-6897fe9ae9a1"
                    }]
                  }]
            """#,
        moreEntries: [FHIRFixturesResources.backportEncounterEntry, FHIRFixturesResources.backportPatientEntry])

    /// The IG's `AddSubscriptionStatus` rule set: every R4B example shares this status entry.
    private static func status(
        bundleID: String, statusID: String, status: String, type: String, sinceStart: String, events: String,
        moreEntries: [String] = []
    ) -> String {
        """
        {
          "resourceType" : "Bundle",
          "id" : "\(bundleID)",
          "meta" : {
            "profile" : ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification"]
          },
          "type" : "history",
          "timestamp" : "2020-05-29T11:44:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:\(statusID)",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "id" : "\(statusID)",
              "status" : "\(status)",
              "type" : "\(type)",
              "eventsSinceSubscriptionStart" : "\(sinceStart)"\(events),
              "subscription" : {
                "reference" : "https://example.org/fhir/Subscription/admission"
              },
              "topic" : "http://hl7.org/SubscriptionTopic/admission"
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
