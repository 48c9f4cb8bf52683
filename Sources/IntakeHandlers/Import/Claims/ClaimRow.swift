/// A validated, normalised pharmacy claim. Text and number fields are views into the CSV
/// record it came from (valid only as long as that record), kept exactly as the file had them;
/// the NDC is normalised to 11 digits.
public struct ClaimRow {
    public var claimID: UnsafeRawBufferPointer
    public var patientID: UnsafeRawBufferPointer
    public var ndc: NDC
    public var quantity: UnsafeRawBufferPointer
    public var daysSupply: Int
    public var fillDate: CivilDate
    public var pharmacyNPI: UnsafeRawBufferPointer
    public var prescriberNPI: UnsafeRawBufferPointer
    public var ingredientCost: UnsafeRawBufferPointer
    public var dispensingFee: UnsafeRawBufferPointer
    public var copay: UnsafeRawBufferPointer

    /// Writes the row's columns in `ImportTable.pharmacyClaims` order (before the trailing
    /// `import_job_id`) and ends the row.
    public func encode(into buffer: inout CopyTextBuffer) {
        buffer.appendText(claimID)
        buffer.appendText(patientID)
        buffer.appendFixedDigits({ ndc.write(into: &$0, at: $1) }, width: 11)
        // Validated numbers and digits contain nothing COPY would need escaped.
        buffer.appendVerbatim(quantity)
        buffer.appendInt(daysSupply)
        buffer.appendFixedDigits({ fillDate.write(into: &$0, at: $1) }, width: 10)
        buffer.appendVerbatim(pharmacyNPI)
        buffer.appendVerbatim(prescriberNPI)
        buffer.appendVerbatim(ingredientCost)
        buffer.appendVerbatim(dispensingFee)
        buffer.appendVerbatim(copay)
        buffer.endRow()
    }
}
