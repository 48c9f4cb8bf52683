/// Validates `csv.pharmacy_claims` rows (SPEC §5) against a header mapped by column name.
public struct ClaimsValidator: Sendable {
    /// Data columns of `ingest.pharmacy_claims`, in the order `ClaimRow.encode` writes them.
    public static let requiredColumns = [
        "claim_id", "patient_id", "ndc", "quantity", "days_supply", "fill_date", "pharmacy_npi",
        "prescriber_npi", "ingredient_cost", "dispensing_fee", "copay",
    ]

    public static let maxClaimIDCharacters = 64
    public static let maxPatientIDCharacters = 128

    public let header: CSVHeader
    /// Fill dates after this day are `future_date`.
    public let today: CivilDate
    /// For each required column, its position in the file.
    let positions: [Int]

    /// Throws when the header lacks a required column or names one twice. Extra columns are
    /// allowed and ignored (drift is recorded, not fatal).
    public init(header: CSVHeader, today: CivilDate = .todayUTC()) throws(ImportHeaderError) {
        self.header = header
        self.today = today
        positions = try header.positions(of: Self.requiredColumns)
    }

    public func validate(_ record: CSVRecord) -> RowValidation<ClaimRow> {
        if let problem = RecordShape.problem(record, expectedFields: header.columns.count) {
            return .invalid([problem])
        }
        var errors: [RowError] = []
        let p = positions
        @inline(__always) func field(_ i: Int) -> UnsafeRawBufferPointer { ByteText.trimmed(record[p[i]]) }

        let claimID = FieldChecks.text(field(0), "claim_id", maxCharacters: Self.maxClaimIDCharacters, &errors)
        let patientID = FieldChecks.text(
            field(1), "patient_id", maxCharacters: Self.maxPatientIDCharacters, &errors)

        let ndcBytes = field(2)
        var ndc: NDC?
        if !FieldChecks.missing(ndcBytes, "ndc", &errors) {
            ndc = NDC(bytes: ndcBytes)
            if ndc == nil {
                errors.append(
                    RowError(
                        .invalidNDC, column: "ndc",
                        "ndc \(FieldChecks.quoted(ndcBytes)) is not an NDC: expected 11 digits or the "
                            + "hyphenated 5-4-2, 4-4-2, 5-3-2 or 5-4-1 form"))
            }
        }

        let quantity = FieldChecks.decimal(
            field(3), "quantity", maxIntegerDigits: 12, maxScale: 6, positive: true, &errors)
        let daysSupply = FieldChecks.integer(field(4), "days_supply", 1...365, &errors)

        let dateBytes = field(5)
        var fillDate: CivilDate?
        if !FieldChecks.missing(dateBytes, "fill_date", &errors) {
            if let date = CivilDate(iso: dateBytes) {
                if date > today {
                    errors.append(
                        RowError(
                            .futureDate, column: "fill_date",
                            "fill_date \(date) is in the future (today is \(today) UTC)"))
                } else {
                    fillDate = date
                }
            } else {
                errors.append(
                    RowError(
                        .invalidDate, column: "fill_date",
                        "fill_date \(FieldChecks.quoted(dateBytes)) is not a valid yyyy-mm-dd date"))
            }
        }

        let pharmacyNPI = FieldChecks.npi(field(6), "pharmacy_npi", &errors)
        let prescriberNPI = FieldChecks.npi(field(7), "prescriber_npi", &errors)
        let ingredientCost = FieldChecks.money(field(8), "ingredient_cost", &errors)
        let dispensingFee = FieldChecks.money(field(9), "dispensing_fee", &errors)
        let copay = FieldChecks.money(field(10), "copay", &errors)

        guard errors.isEmpty, let claimID, let patientID, let ndc, let quantity, let daysSupply,
            let fillDate, let pharmacyNPI, let prescriberNPI, let ingredientCost, let dispensingFee,
            let copay
        else { return .invalid(errors) }
        return .valid(
            ClaimRow(
                claimID: claimID, patientID: patientID, ndc: ndc, quantity: quantity,
                daysSupply: daysSupply, fillDate: fillDate, pharmacyNPI: pharmacyNPI,
                prescriberNPI: prescriberNPI, ingredientCost: ingredientCost,
                dispensingFee: dispensingFee, copay: copay))
    }
}

extension FieldChecks {
    /// Money columns are `numeric(12,2)`, ≥ 0.
    @inline(__always)
    static func money(_ value: UnsafeRawBufferPointer, _ column: String, _ errors: inout [RowError])
        -> UnsafeRawBufferPointer?
    {
        decimal(value, column, maxIntegerDigits: 10, maxScale: 2, positive: false, &errors)
    }
}

/// Problems with a record's shape, checked before its fields.
enum RecordShape {
    static func problem(_ record: CSVRecord, expectedFields: Int) -> RowError? {
        if let malformation = record.malformation {
            return RowError(.malformedRow, column: nil, "row \(record.rowNumber) is malformed CSV: \(malformation.rawValue)")
        }
        if record.fieldCount != expectedFields {
            return RowError(
                .raggedRow, column: nil,
                "row \(record.rowNumber) has \(record.fieldCount) field(s); the header has \(expectedFields)")
        }
        return nil
    }
}
