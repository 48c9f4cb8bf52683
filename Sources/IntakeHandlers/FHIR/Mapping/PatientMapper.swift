import IntakeCore
import IntakeSupport

/// `Patient` → `ingest.fhir_patients`.
public struct PatientMapper: FHIRResourceMapper {
    public let resourceType = "Patient"

    public init() {}

    public func map(_ resource: FHIRResource) throws -> FHIRPatientRow {
        guard let id = resource.id, !id.isEmpty else {
            throw FHIRMappingError(resourceType: resourceType, id: nil, message: "Patient has no id")
        }
        let identifiers = resource.json["identifier"]?.arrayValue ?? []
        let name = Self.preferredName(resource.json["name"]?.arrayValue ?? [])
        let given = (name?["given"]?.arrayValue ?? []).compactMap(\.stringValue)
        let birthDate = resource.json["birthDate"]?.stringValue
        return FHIRPatientRow(
            id: id, identifiers: JSONNode.array(identifiers).serialized(), mrn: Self.medicalRecordNumber(identifiers),
            familyName: name?["family"]?.stringValue, givenNames: given.isEmpty ? nil : given.joined(separator: " "),
            // FHIR allows `1974` or `1974-12`; only a full date fits a date column (raw keeps the rest).
            birthDate: birthDate.flatMap { RFC3339DateTime.isFullDate($0) ? $0 : nil },
            raw: resource.json.serialized())
    }

    /// The identifier typed `MR` (HL7 v2 table 0203, "medical record number"), else the first
    /// identifier that has a value.
    static func medicalRecordNumber(_ identifiers: [JSONNode]) -> String? {
        let typedMR = identifiers.first { identifier in
            (identifier["type"]?["coding"]?.arrayValue ?? []).contains { $0["code"]?.stringValue == "MR" }
                && identifier["value"]?.stringValue != nil
        }
        return (typedMR ?? identifiers.first { $0["value"]?.stringValue != nil })?["value"]?.stringValue
    }

    /// The `official` name, else the `usual` one, else the first.
    static func preferredName(_ names: [JSONNode]) -> JSONNode? {
        names.first { $0["use"]?.stringValue == "official" }
            ?? names.first { $0["use"]?.stringValue == "usual" }
            ?? names.first
    }
}

public struct FHIRPatientRow: FHIRRow, Equatable {
    public static let table = "ingest.fhir_patients"
    public static let keyColumns = ["id"]

    public var id: String
    /// The `identifier` array as JSON text.
    public var identifiers: String
    public var mrn: String?
    public var familyName: String?
    /// Given names joined by spaces.
    public var givenNames: String?
    /// `YYYY-MM-DD`, or nil when absent or only partly known.
    public var birthDate: String?
    public var raw: String

    public var columns: [FHIRColumn] {
        [
            FHIRColumn("id", .text(id)),
            FHIRColumn("identifiers", .jsonb(identifiers)),
            FHIRColumn("mrn", .text(mrn)),
            FHIRColumn("family_name", .text(familyName)),
            FHIRColumn("given_names", .text(givenNames)),
            FHIRColumn("birth_date", .date(birthDate)),
            FHIRColumn("raw", .jsonb(raw)),
        ]
    }
}
