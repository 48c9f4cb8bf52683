import Foundation

/// FHIR R5 notification bundles, reconstructed from the examples published with the R5
/// specification (hl7.org/fhir/R5: notification-handshake, notification-heartbeat,
/// notification-id-only, notification-full-resource). Generated narratives are kept on the
/// handshake only (they carry escaped XHTML, which the parser must get through) and dropped
/// elsewhere for brevity; the Encounter in the full-resource example is abbreviated to the
/// elements the specification shows.
public enum FHIRFixturesR5 {
    public static let handshake = #"""
        {
          "resourceType" : "Bundle",
          "id" : "54f808cf-d159-4c9b-accb-c33eb20f0ecc",
          "type" : "subscription-notification",
          "timestamp" : "2020-04-17T10:24:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:231e7f38-2dd1-45ac-9161-d7bd87c403bd",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "id" : "231e7f38-2dd1-45ac-9161-d7bd87c403bd",
              "text" : {
                "status" : "generated",
                "div" : "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Generated Narrative: SubscriptionStatus</b><a name=\"231e7f38-2dd1-45ac-9161-d7bd87c403bd\"> </a></p><div style=\"display: inline-block; background-color: #d9e0e7; padding: 6px; margin: 4px; border: 1px solid #8da1b4; border-radius: 5px; line-height: 60%\"><p style=\"margin-bottom: 0px\">Resource SubscriptionStatus \"231e7f38-2dd1-45ac-9161-d7bd87c403bd\" </p></div><p><b>status</b>: requested</p><p><b>type</b>: handshake</p><p><b>eventsSinceSubscriptionStart</b>: 0</p><p><b>subscription</b>: <a href=\"broken-link.html\">http://example.org/FHIR/R5/Subscription/123</a></p><p><b>topic</b>: <a href=\"http://example.org/FHIR/R5/SubscriptionTopic/admission\">http://example.org/FHIR/R5/SubscriptionTopic/admission</a></p></div>"
              },
              "status" : "requested",
              "type" : "handshake",
              "eventsSinceSubscriptionStart" : "0",
              "subscription" : {
                "reference" : "http://example.org/FHIR/R5/Subscription/123"
              },
              "topic" : "http://example.org/FHIR/R5/SubscriptionTopic/admission"
            }
          }]
        }
        """#

    public static let heartbeat = #"""
        {
          "resourceType" : "Bundle",
          "id" : "3d20ea4b-90dc-4d0d-b15a-c7a893389401",
          "type" : "subscription-notification",
          "timestamp" : "2020-04-17T10:24:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:a5b053d4-2603-446f-ae86-f5853ac09334",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "id" : "a5b053d4-2603-446f-ae86-f5853ac09334",
              "status" : "active",
              "type" : "heartbeat",
              "eventsSinceSubscriptionStart" : "310",
              "subscription" : {
                "reference" : "http://example.org/FHIR/R5/Subscription/123"
              },
              "topic" : "http://example.org/FHIR/R5/SubscriptionTopic/admission"
            }
          }]
        }
        """#

    public static let idOnly = #"""
        {
          "resourceType" : "Bundle",
          "id" : "3945182f-d315-4dbf-9259-09d863c7e7da",
          "type" : "subscription-notification",
          "timestamp" : "2020-04-17T10:24:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:c144782b-da2f-4125-a9e2-9fa4b9085a40",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "id" : "c144782b-da2f-4125-a9e2-9fa4b9085a40",
              "status" : "active",
              "type" : "event-notification",
              "eventsSinceSubscriptionStart" : "2",
              "notificationEvent" : [{
                "eventNumber" : "2",
                "focus" : {
                  "reference" : "http://example.org/FHIR/R5/Encounter/2"
                }
              }],
              "subscription" : {
                "reference" : "http://example.org/FHIR/R5/Subscription/123"
              },
              "topic" : "http://example.org/FHIR/R5/SubscriptionTopic/admission"
            }
          },
          {
            "fullUrl" : "http://example.org/FHIR/R5/Encounter/2",
            "request" : {
              "method" : "PUT",
              "url" : "Encounter/2"
            },
            "response" : {
              "status" : "201"
            }
          }]
        }
        """#

    public static let fullResource = #"""
        {
          "resourceType" : "Bundle",
          "id" : "00b99077-2bda-436e-98cc-a4f65d6c2fe0",
          "type" : "subscription-notification",
          "timestamp" : "2020-04-17T10:24:13.1882432-05:00",
          "entry" : [{
            "fullUrl" : "urn:uuid:d195d9b8-6f78-4d71-9d22-3c1a923bfea5",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "id" : "d195d9b8-6f78-4d71-9d22-3c1a923bfea5",
              "status" : "active",
              "type" : "event-notification",
              "eventsSinceSubscriptionStart" : "2",
              "notificationEvent" : [{
                "eventNumber" : "2",
                "focus" : {
                  "reference" : "http://example.org/FHIR/R5/Encounter/2"
                }
              }],
              "subscription" : {
                "reference" : "http://example.org/FHIR/R5/Subscription/123"
              },
              "topic" : "http://example.org/FHIR/R5/SubscriptionTopic/admission"
            }
          },
          {
            "fullUrl" : "https://example.org/FHIR/R5/Encounter/2",
            "resource" : {
              "resourceType" : "Encounter",
              "id" : "2",
              "meta" : {
                "versionId" : "1",
                "lastUpdated" : "2019-08-07T10:49:22Z"
              },
              "status" : "in-progress",
              "class" : [{
                "coding" : [{
                  "system" : "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                  "code" : "VR",
                  "display" : "virtual"
                }]
              }],
              "subject" : {
                "reference" : "Patient/example"
              }
            },
            "request" : {
              "method" : "PUT",
              "url" : "Encounter/2"
            },
            "response" : {
              "status" : "201"
            }
          }]
        }
        """#

    /// Not an HL7 example: an R5 full-resource notification carrying two events at once, with
    /// counters sent as JSON numbers (as some servers do), a Patient and an Observation.
    public static let multiEventNumericCounters = #"""
        {
          "resourceType" : "Bundle",
          "id" : "b1d8a1f0-5a3e-4c1e-9a3e-8f0d2f6c1a77",
          "type" : "subscription-notification",
          "timestamp" : "2024-03-01T08:00:00Z",
          "entry" : [{
            "fullUrl" : "urn:uuid:0c9b6a52-1f0e-4f43-9a55-0f5f7a1d2b10",
            "resource" : {
              "resourceType" : "SubscriptionStatus",
              "status" : "active",
              "type" : "event-notification",
              "eventsSinceSubscriptionStart" : 12,
              "notificationEvent" : [
                { "eventNumber" : 11, "timestamp" : "2024-03-01T07:59:58Z",
                  "focus" : { "reference" : "https://example.org/fhir/Observation/f001" } },
                { "eventNumber" : 12, "timestamp" : "2024-03-01T07:59:59Z",
                  "focus" : { "reference" : "https://example.org/fhir/Patient/example" },
                  "additionalContext" : [{ "reference" : "https://example.org/fhir/Encounter/2" }] }
              ],
              "subscription" : { "reference" : "https://example.org/fhir/Subscription/labs" },
              "topic" : "http://example.org/SubscriptionTopic/lab-results"
            }
          },
          { "fullUrl" : "https://example.org/fhir/Observation/f001", "resource" : OBSERVATION },
          { "fullUrl" : "https://example.org/fhir/Patient/example", "resource" : PATIENT }
          ]
        }
        """#
        .replacingOccurrences(of: "OBSERVATION", with: FHIRFixturesResources.observationGlucose)
        .replacingOccurrences(of: "PATIENT", with: FHIRFixturesResources.patientExample)
}
