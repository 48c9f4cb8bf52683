/// Validates `csv.audit_records` rows (SPEC §5) against a header mapped by column name.
public struct AuditValidator: Sendable {
    /// Data columns of `ingest.audit_records`, in the order `AuditRow.encode` writes them.
    public static let requiredColumns = [
        "event_id", "occurred_at", "actor_id", "action", "resource_type", "resource_id", "outcome",
        "source_ip",
    ]

    public static let maxEventIDCharacters = 128
    public static let maxTextCharacters = 512

    public let header: CSVHeader
    let positions: [Int]

    public init(header: CSVHeader) throws(ImportHeaderError) {
        self.header = header
        positions = try header.positions(of: Self.requiredColumns)
    }

    public func validate(_ record: CSVRecord) -> RowValidation<AuditRow> {
        if let problem = RecordShape.problem(record, expectedFields: header.columns.count) {
            return .invalid([problem])
        }
        var errors: [RowError] = []
        let p = positions
        @inline(__always) func field(_ i: Int) -> UnsafeRawBufferPointer { ByteText.trimmed(record[p[i]]) }

        let eventID = FieldChecks.text(field(0), "event_id", maxCharacters: Self.maxEventIDCharacters, &errors)
        var hasOffset = false
        let occurredAt = FieldChecks.timestamp(
            field(1), "occurred_at", offset: .required, hasOffset: &hasOffset, &errors)
        let actorID = FieldChecks.text(field(2), "actor_id", maxCharacters: Self.maxTextCharacters, &errors)
        let action = FieldChecks.text(field(3), "action", maxCharacters: Self.maxTextCharacters, &errors)
        let resourceType = FieldChecks.text(
            field(4), "resource_type", maxCharacters: Self.maxTextCharacters, &errors)
        let resourceID = FieldChecks.text(
            field(5), "resource_id", maxCharacters: Self.maxTextCharacters, &errors)

        let outcomeBytes = field(6)
        var outcome: AuditRow.Outcome?
        if !FieldChecks.missing(outcomeBytes, "outcome", &errors) {
            if ByteText.equalsLowercase(outcomeBytes, "success") {
                outcome = .success
            } else if ByteText.equalsLowercase(outcomeBytes, "failure") {
                outcome = .failure
            } else {
                errors.append(
                    RowError(
                        .invalidEnum, column: "outcome",
                        "outcome \(FieldChecks.quoted(outcomeBytes)) must be success or failure"))
            }
        }

        let ipBytes = field(7)
        var sourceIP: UnsafeRawBufferPointer?
        if !FieldChecks.missing(ipBytes, "source_ip", &errors) {
            if IPAddress.isValid(ipBytes) {
                sourceIP = ipBytes
            } else {
                errors.append(
                    RowError(
                        .invalidIP, column: "source_ip",
                        "source_ip \(FieldChecks.quoted(ipBytes)) is not an IPv4 or IPv6 address"))
            }
        }

        guard errors.isEmpty, let eventID, let occurredAt, let actorID, let action, let resourceType,
            let resourceID, let outcome, let sourceIP
        else { return .invalid(errors) }
        return .valid(
            AuditRow(
                eventID: eventID, occurredAt: occurredAt, actorID: actorID, action: action,
                resourceType: resourceType, resourceID: resourceID, outcome: outcome, sourceIP: sourceIP))
    }
}

/// A validated audit record; byte fields are views into its CSV record.
public struct AuditRow {
    public enum Outcome: String, Sendable {
        case success, failure
    }

    public var eventID: UnsafeRawBufferPointer
    /// RFC 3339 with offset, as given (PostgreSQL's timestamptz input reads it unchanged).
    public var occurredAt: UnsafeRawBufferPointer
    public var actorID: UnsafeRawBufferPointer
    public var action: UnsafeRawBufferPointer
    public var resourceType: UnsafeRawBufferPointer
    public var resourceID: UnsafeRawBufferPointer
    public var outcome: Outcome
    public var sourceIP: UnsafeRawBufferPointer

    /// Writes the row in `ImportTable.auditRecords` order and ends it.
    public func encode(into buffer: inout CopyTextBuffer) {
        buffer.appendText(eventID)
        buffer.appendVerbatim(occurredAt)
        buffer.appendText(actorID)
        buffer.appendText(action)
        buffer.appendText(resourceType)
        buffer.appendText(resourceID)
        switch outcome {
        case .success: buffer.appendVerbatim("success")
        case .failure: buffer.appendVerbatim("failure")
        }
        buffer.appendVerbatim(sourceIP)
        buffer.endRow()
    }
}
