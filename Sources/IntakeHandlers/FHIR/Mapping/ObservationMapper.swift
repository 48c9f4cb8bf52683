import IntakeCore

/// `Observation` → `ingest.fhir_observations`.
public struct ObservationMapper: FHIRResourceMapper {
    public let resourceType = "Observation"

    public init() {}

    public func map(_ resource: FHIRResource) throws -> FHIRObservationRow {
        let json = resource.json
        guard let id = resource.id, !id.isEmpty else {
            throw FHIRMappingError(resourceType: resourceType, id: nil, message: "Observation has no id")
        }
        let coding = json["code"]?["coding"]?.arrayValue?.first
        var row = FHIRObservationRow(
            id: id, codeSystem: coding?["system"]?.stringValue, code: coding?["code"]?.stringValue,
            codeDisplay: coding?["display"]?.stringValue ?? json["code"]?["text"]?.stringValue,
            valueNumeric: nil, valueText: nil, unit: nil,
            subjectReference: json["subject"]?["reference"]?.stringValue, effectiveAt: nil, effectiveText: nil,
            raw: json.serialized())

        if let quantity = json["valueQuantity"] {
            row.valueNumeric = quantity["value"]?.numberText
            row.unit = quantity["unit"]?.stringValue ?? quantity["code"]?.stringValue
        } else if let integer = json["valueInteger"]?.numberText {
            row.valueNumeric = integer
        } else if let text = json["valueString"]?.stringValue {
            row.valueText = text
        } else if let concept = json["valueCodeableConcept"] {
            let first = concept["coding"]?.arrayValue?.first
            row.valueText =
                concept["text"]?.stringValue ?? first?["display"]?.stringValue ?? first?["code"]?.stringValue
        } else if let flag = json["valueBoolean"]?.boolValue {
            row.valueText = flag ? "true" : "false"
        }

        let effective =
            json["effectiveDateTime"]?.stringValue ?? json["effectivePeriod"]?["start"]?.stringValue
            ?? json["effectiveInstant"]?.stringValue
        row.effectiveText = effective
        // Only a full date-time names an instant; `2016-03` or a bare date stays text.
        row.effectiveAt = effective.flatMap { RFC3339DateTime.parse($0) != nil ? $0 : nil }
        return row
    }
}

public struct FHIRObservationRow: FHIRRow, Equatable {
    public static let table = "ingest.fhir_observations"
    public static let keyColumns = ["id"]

    public var id: String
    public var codeSystem: String?
    public var code: String?
    public var codeDisplay: String?
    /// The decimal exactly as sent.
    public var valueNumeric: String?
    public var valueText: String?
    public var unit: String?
    public var subjectReference: String?
    /// The effective instant, when the resource gives a full date-time.
    public var effectiveAt: String?
    /// `effectiveDateTime` / `effectivePeriod.start` / `effectiveInstant` as sent, whatever its precision.
    public var effectiveText: String?
    public var raw: String

    public var columns: [FHIRColumn] {
        [
            FHIRColumn("id", .text(id)),
            FHIRColumn("code_system", .text(codeSystem)),
            FHIRColumn("code", .text(code)),
            FHIRColumn("code_display", .text(codeDisplay)),
            FHIRColumn("value_numeric", .numeric(valueNumeric)),
            FHIRColumn("value_text", .text(valueText)),
            FHIRColumn("unit", .text(unit)),
            FHIRColumn("subject_reference", .text(subjectReference)),
            FHIRColumn("effective_at", .timestamp(effectiveAt)),
            FHIRColumn("effective_text", .text(effectiveText)),
            FHIRColumn("raw", .jsonb(raw)),
        ]
    }
}
