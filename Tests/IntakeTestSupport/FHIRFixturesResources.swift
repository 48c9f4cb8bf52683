/// Resources used by the notification fixtures and the mapper tests.
public enum FHIRFixturesResources {
    /// The Backport IG's `BackportNotificationEncounter`, as entry[1] of its full-resource examples.
    public static let backportEncounterEntry = #"""
        {
            "fullUrl" : "https://example.org/fhir/Encounter/86009987-eabe-42bf-8c02-b112b18cb616",
            "resource" : {
              "resourceType" : "Encounter",
              "id" : "86009987-eabe-42bf-8c02-b112b18cb616",
              "status" : "in-progress",
              "class" : {
                "system" : "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code" : "VR"
              },
              "subject" : {
                "reference" : "https://example.org/fhir/Patient/1599eb66-431a-447c-a3de-6897fe9ae9a1",
                "display" : "Example Patient"
              }
            },
            "request" : {
              "method" : "POST",
              "url" : "Encounter"
            },
            "response" : {
              "status" : "201"
            }
          }
        """#

    /// The Backport IG's `BackportNotificationPatient`, as entry[2] of its multi-resource examples.
    public static let backportPatientEntry = #"""
        {
            "fullUrl" : "https://example.org/fhir/Patient/1599eb66-431a-447c-a3de-6897fe9ae9a1",
            "resource" : {
              "resourceType" : "Patient",
              "id" : "1599eb66-431a-447c-a3de-6897fe9ae9a1",
              "active" : true,
              "name" : [{
                "use" : "usual",
                "text" : "Example Patient",
                "family" : "Patient",
                "given" : ["Example"]
              }]
            },
            "request" : {
              "method" : "GET",
              "url" : "Patient/1599eb66-431a-447c-a3de-6897fe9ae9a1"
            },
            "response" : {
              "status" : "200"
            }
          }
        """#

    /// FHIR R4 `patient-example` (Peter James Chalmers), abbreviated: narrative, telecom, address
    /// and contact dropped.
    public static let patientExample = #"""
        {
          "resourceType": "Patient",
          "id": "example",
          "identifier": [{
            "use": "usual",
            "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR" }] },
            "system": "urn:oid:1.2.36.146.595.217.0.1",
            "value": "12345",
            "period": { "start": "2001-05-06" },
            "assigner": { "display": "Acme Healthcare" }
          }],
          "active": true,
          "name": [
            { "use": "official", "family": "Chalmers", "given": ["Peter", "James"] },
            { "use": "usual", "given": ["Jim"] },
            { "use": "maiden", "family": "Windsor", "given": ["Peter", "James"], "period": { "end": "2002" } }
          ],
          "gender": "male",
          "birthDate": "1974-12-25",
          "_birthDate": {
            "extension": [{
              "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
              "valueDateTime": "1974-12-25T14:35:45-05:00"
            }]
          },
          "deceasedBoolean": false,
          "managingOrganization": { "reference": "Organization/1" }
        }
        """#

    /// FHIR R4 `observation-example-f001-glucose`, abbreviated: narrative, interpretation and
    /// reference range dropped.
    public static let observationGlucose = #"""
        {
          "resourceType": "Observation",
          "id": "f001",
          "identifier": [{
            "use": "official",
            "system": "http://www.bmc.nl/zorgportal/identifiers/observations",
            "value": "6323"
          }],
          "status": "final",
          "code": {
            "coding": [{ "system": "http://loinc.org", "code": "15074-8", "display": "Glucose [Moles/volume] in Blood" }]
          },
          "subject": { "reference": "Patient/f001", "display": "P. van de Heuvel" },
          "effectivePeriod": { "start": "2013-04-02T09:30:10+01:00" },
          "issued": "2013-04-03T15:30:10+01:00",
          "performer": [{ "reference": "Practitioner/f005", "display": "A. Langeveld" }],
          "valueQuantity": { "value": 6.3, "unit": "mmol/l", "system": "http://unitsofmeasure.org", "code": "mmol/L" }
        }
        """#

    /// FHIR R4 `observation-example` (body weight), abbreviated: narrative and category dropped.
    public static let observationBodyWeight = #"""
        {
          "resourceType": "Observation",
          "id": "example",
          "status": "final",
          "code": {
            "coding": [
              { "system": "http://loinc.org", "code": "29463-7", "display": "Body Weight" },
              { "system": "http://loinc.org", "code": "3141-9", "display": "Body weight Measured" },
              { "system": "http://snomed.info/sct", "code": "27113001", "display": "Body weight" },
              { "system": "http://acme.org/devices/clinical-codes", "code": "body-weight", "display": "Body Weight" }
            ]
          },
          "subject": { "reference": "Patient/example" },
          "encounter": { "reference": "Encounter/example" },
          "effectiveDateTime": "2016-03-28",
          "valueQuantity": { "value": 185, "unit": "lbs", "system": "http://unitsofmeasure.org", "code": "[lb_av]" }
        }
        """#
}
