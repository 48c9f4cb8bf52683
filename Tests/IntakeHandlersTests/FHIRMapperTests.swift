import IntakeTestSupport
import Testing
import IntakeSupport

@testable import IntakeHandlers

@Suite("FHIR resource mappers")
struct FHIRMapperTests {
    static func resource(_ text: String) throws -> FHIRResource {
        let json = try JSONNode.parse(Array(text.utf8))
        return FHIRResource(
            resourceType: json["resourceType"]?.stringValue ?? "", id: json["id"]?.stringValue, json: json)
    }

    @Test("Patient: MRN from the MR-typed identifier, official name, birth date")
    func patient() throws {
        let row = try PatientMapper().map(try Self.resource(FHIRFixturesResources.patientExample))
        #expect(row.id == "example")
        #expect(row.mrn == "12345")
        #expect(row.familyName == "Chalmers")
        #expect(row.givenNames == "Peter James")
        #expect(row.birthDate == "1974-12-25")
        let identifiers = try JSONNode.parse(Array(row.identifiers.utf8))
        #expect(identifiers.arrayValue?.first?["system"] == .string("urn:oid:1.2.36.146.595.217.0.1"))
        #expect(try JSONNode.parse(Array(row.raw.utf8))["gender"] == .string("male"))
        #expect(row.columns.map(\.name) == ["id", "identifiers", "mrn", "family_name", "given_names", "birth_date", "raw"])
        #expect(row.columns[5].value == .date("1974-12-25"))
        #expect(row.columns[5].value.sqlCast == "date")
    }

    @Test("Patient: without an MR identifier the first one is the MRN; partial birth dates are not dates")
    func patientFallbacks() throws {
        let text = #"""
            {"resourceType": "Patient", "id": "p2",
             "identifier": [{"system": "urn:ssn", "value": "999-99-9999"}, {"system": "urn:other", "value": "X"}],
             "name": [{"use": "usual", "family": "Doe", "given": ["Jane"]}, {"family": "Other"}],
             "birthDate": "1974-12"}
            """#
        let row = try PatientMapper().map(try Self.resource(text))
        #expect(row.mrn == "999-99-9999")
        #expect(row.familyName == "Doe")
        #expect(row.birthDate == nil)
        #expect(row.columns[5].value == .date(nil))
        let empty = try PatientMapper().map(try Self.resource(#"{"resourceType": "Patient", "id": "p3"}"#))
        #expect(empty.mrn == nil && empty.familyName == nil && empty.givenNames == nil)
        #expect(empty.identifiers == "[]")
    }

    @Test("Observation: code, exact quantity, subject and a period's start")
    func observationQuantity() throws {
        let row = try ObservationMapper().map(try Self.resource(FHIRFixturesResources.observationGlucose))
        #expect(row.id == "f001")
        #expect(row.codeSystem == "http://loinc.org")
        #expect(row.code == "15074-8")
        #expect(row.codeDisplay == "Glucose [Moles/volume] in Blood")
        #expect(row.valueNumeric == "6.3")
        #expect(row.unit == "mmol/l")
        #expect(row.subjectReference == "Patient/f001")
        #expect(row.effectiveAt == "2013-04-02T09:30:10+01:00")
        #expect(row.columns.first { $0.name == "value_numeric" }?.value == .numeric("6.3"))
    }

    @Test("Observation: a date-only effectiveDateTime stays text")
    func observationDateOnly() throws {
        let row = try ObservationMapper().map(try Self.resource(FHIRFixturesResources.observationBodyWeight))
        #expect(row.code == "29463-7")
        #expect(row.valueNumeric == "185" && row.unit == "lbs")
        #expect(row.effectiveAt == nil)
        #expect(row.effectiveText == "2016-03-28")
    }

    @Test("Observation: valueString and valueCodeableConcept become value_text")
    func observationTextValues() throws {
        let string = try ObservationMapper().map(try Self.resource(#"""
            {"resourceType": "Observation", "id": "o1", "code": {"text": "Comment"}, "valueString": "looks fine",
             "effectiveDateTime": "2024-01-02T03:04:05Z", "subject": {"reference": "Patient/example"}}
            """#))
        #expect(string.valueText == "looks fine" && string.valueNumeric == nil)
        #expect(string.codeDisplay == "Comment" && string.code == nil)
        #expect(string.effectiveAt == "2024-01-02T03:04:05Z")
        let concept = try ObservationMapper().map(try Self.resource(#"""
            {"resourceType": "Observation", "id": "o2",
             "code": {"coding": [{"system": "http://loinc.org", "code": "883-9", "display": "ABO group"}]},
             "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "112144000", "display": "Blood group A"}]}}
            """#))
        #expect(concept.valueText == "Blood group A")
    }

    @Test("resources without an id cannot be mapped")
    func missingID() throws {
        #expect(throws: FHIRMappingError.self) {
            try PatientMapper().map(try Self.resource(#"{"resourceType": "Patient"}"#))
        }
        #expect(throws: FHIRMappingError.self) {
            try FHIRMapperRegistry.standard.map(try Self.resource(#"{"resourceType": "Encounter"}"#))
        }
    }

    @Test("the registry maps known types and keeps the rest raw")
    func registry() throws {
        let notification = try FHIRNotification.parse(Array(FHIRFixturesR4.multiResource.utf8))
        let rows = try notification.resources.map { try FHIRMapperRegistry.standard.map($0) }
        let raw = try #require(rows.first as? FHIRRawResourceRow)
        #expect(raw.resourceType == "Encounter" && raw.id == "86009987-eabe-42bf-8c02-b112b18cb616")
        #expect(type(of: rows[0]).table == "ingest.fhir_resources")
        #expect(type(of: rows[0]).keyColumns == ["resource_type", "id"])
        let patient = try #require(rows.last as? FHIRPatientRow)
        #expect(patient.familyName == "Patient" && patient.givenNames == "Example")
        #expect(type(of: rows[1]).table == "ingest.fhir_patients")
        #expect(FHIRMapperRegistry.standard.mappedResourceTypes == ["Observation", "Patient"])
    }

    @Test("a registry is extended by one mapper type")
    func extending() throws {
        struct EncounterRow: FHIRRow {
            static let table = "ingest.fhir_encounters"
            static let keyColumns = ["id"]
            var id: String
            var columns: [FHIRColumn] { [FHIRColumn("id", .text(id))] }
        }
        struct EncounterMapper: FHIRResourceMapper {
            let resourceType = "Encounter"
            func map(_ resource: FHIRResource) throws -> EncounterRow { EncounterRow(id: resource.id ?? "") }
        }
        let registry = FHIRMapperRegistry(mappers: [PatientMapper(), EncounterMapper()])
        let notification = try FHIRNotification.parse(Array(FHIRFixturesR4B.fullResource.utf8))
        let row = try registry.map(try #require(notification.resources.first))
        #expect(type(of: row).table == "ingest.fhir_encounters")
    }

    @Test("raw JSON keeps numbers exactly as sent")
    func rawNumbers() throws {
        let resource = try Self.resource(#"{"resourceType": "Basic", "id": "b", "n": 1.50, "big": 12345678901234567890}"#)
        let row = try #require(try FHIRMapperRegistry.standard.map(resource) as? FHIRRawResourceRow)
        #expect(row.raw == #"{"resourceType":"Basic","id":"b","n":1.50,"big":12345678901234567890}"#)
    }
}

@Suite("FHIR row upsert statement")
struct FHIRRowUpsertTests {
    @Test("one parameterized upsert per row, NULLs keeping their column's cast")
    func observationUpsert() throws {
        let json = try JSONNode.parse(Array(FHIRFixturesResources.observationBodyWeight.utf8))
        let row = try ObservationMapper().map(FHIRResource(resourceType: "Observation", id: "example", json: json))
        let upsert = FHIRRowUpsert(row)
        #expect(
            upsert.sql
                == "INSERT INTO ingest.fhir_observations (id, code_system, code, code_display, value_numeric, value_text, unit, subject_reference, effective_at, effective_text, raw) VALUES ($1::text, $2::text, $3::text, $4::text, $5::numeric, $6::text, $7::text, $8::text, $9::timestamptz, $10::text, $11::jsonb) ON CONFLICT (id) DO UPDATE SET code_system = EXCLUDED.code_system, code = EXCLUDED.code, code_display = EXCLUDED.code_display, value_numeric = EXCLUDED.value_numeric, value_text = EXCLUDED.value_text, unit = EXCLUDED.unit, subject_reference = EXCLUDED.subject_reference, effective_at = EXCLUDED.effective_at, effective_text = EXCLUDED.effective_text, raw = EXCLUDED.raw, updated_at = now()"
        )
        #expect(upsert.parameters.count == 11)
        #expect(upsert.parameters[4] == "185")
        #expect(upsert.parameters[8] == nil)
    }

    @Test("a raw row from the registry upserts on resource type and id")
    func rawUpsert() throws {
        let json = try JSONNode.parse(Array(#"{"resourceType": "Encounter", "id": "e1"}"#.utf8))
        let row = try FHIRMapperRegistry.standard.map(FHIRResource(resourceType: "Encounter", id: "e1", json: json))
        let upsert = FHIRRowUpsert(row)
        #expect(upsert.sql.hasPrefix("INSERT INTO ingest.fhir_resources (resource_type, id, raw) VALUES ($1::text, $2::text, $3::jsonb) ON CONFLICT (resource_type, id) DO UPDATE SET raw = EXCLUDED.raw, updated_at = now()"))
        #expect(upsert.parameters == ["Encounter", "e1", #"{"resourceType":"Encounter","id":"e1"}"#])
    }
}
