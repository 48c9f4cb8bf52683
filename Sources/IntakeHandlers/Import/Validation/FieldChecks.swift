/// Checks shared by the row validators. Each returns the accepted value or appends a `RowError`
/// and returns nil; messages quote the offending value (shortened) so a person can find it.
enum FieldChecks {
    static func quoted(_ value: UnsafeRawBufferPointer) -> String {
        let text = ByteText.storableText(value)
        return text.count > 64 ? "'\(text.prefix(61))…'" : "'\(text)'"
    }

    /// Non-empty text PostgreSQL can store, at most `maxCharacters` characters.
    @inline(__always)
    static func text(
        _ value: UnsafeRawBufferPointer, _ column: String, maxCharacters: Int, required: Bool = true,
        _ errors: inout [RowError]
    ) -> UnsafeRawBufferPointer? {
        if value.isEmpty {
            if required { errors.append(RowError(.missingField, column: column, "\(column) is empty")) }
            return nil
        }
        guard ByteText.isStorableText(value) else {
            errors.append(RowError(.invalidEncoding, column: column, "\(column) is not valid UTF-8 text"))
            return nil
        }
        // A byte count within the limit cannot exceed it in characters: count only when needed.
        if value.count > maxCharacters && ByteText.characterCount(value) > maxCharacters {
            errors.append(
                RowError(.tooLong, column: column, "\(column) is longer than \(maxCharacters) characters"))
            return nil
        }
        return value
    }

    static func missing(_ value: UnsafeRawBufferPointer, _ column: String, _ errors: inout [RowError]) -> Bool {
        guard value.isEmpty else { return false }
        errors.append(RowError(.missingField, column: column, "\(column) is empty"))
        return true
    }

    /// A decimal ≥ 0 (or > 0 with `positive`) that fits numeric with `maxIntegerDigits` before
    /// the point and at most `maxScale` after it. The text is kept as given.
    @inline(__always)
    static func decimal(
        _ value: UnsafeRawBufferPointer, _ column: String, maxIntegerDigits: Int, maxScale: Int,
        positive: Bool, _ errors: inout [RowError]
    ) -> UnsafeRawBufferPointer? {
        if missing(value, column, &errors) { return nil }
        guard let number = DecimalText(value) else {
            errors.append(RowError(.invalidDecimal, column: column, "\(column) \(quoted(value)) is not a decimal number"))
            return nil
        }
        if number.scale > maxScale {
            errors.append(
                RowError(
                    .invalidDecimal, column: column,
                    "\(column) \(quoted(value)) has more than \(maxScale) decimal places"))
            return nil
        }
        if number.isNegative && !number.isZero {
            errors.append(RowError(.outOfRange, column: column, "\(column) \(quoted(value)) is negative"))
            return nil
        }
        if positive && number.isZero {
            errors.append(RowError(.outOfRange, column: column, "\(column) must be greater than 0"))
            return nil
        }
        if number.integerDigits > maxIntegerDigits {
            errors.append(
                RowError(
                    .outOfRange, column: column,
                    "\(column) \(quoted(value)) has more than \(maxIntegerDigits) digits before the point"))
            return nil
        }
        return value
    }

    /// An integer within `range`.
    static func integer(
        _ value: UnsafeRawBufferPointer, _ column: String, _ range: ClosedRange<Int>, _ errors: inout [RowError]
    ) -> Int? {
        if missing(value, column, &errors) { return nil }
        var start = 0
        var negative = false
        if value[0] == 0x2B || value[0] == 0x2D {
            negative = value[0] == 0x2D
            start = 1
        }
        let length = value.count - start
        guard length > 0, length <= 18, let magnitude = ByteText.digits(value, start, length) else {
            let kind: RowErrorKind = length > 18 && ByteText.allDigits(UnsafeRawBufferPointer(rebasing: value[start...]))
                ? .outOfRange : .invalidInteger
            errors.append(RowError(kind, column: column, "\(column) \(quoted(value)) is not a whole number in \(range)"))
            return nil
        }
        let number = negative ? -magnitude : magnitude
        guard range.contains(number) else {
            errors.append(
                RowError(
                    .outOfRange, column: column,
                    "\(column) \(number) is out of range \(range.lowerBound)–\(range.upperBound)"))
            return nil
        }
        return number
    }

    static func npi(_ value: UnsafeRawBufferPointer, _ column: String, _ errors: inout [RowError]) -> UnsafeRawBufferPointer? {
        if missing(value, column, &errors) { return nil }
        guard NPI.isValid(value) else {
            let detail = value.count == 10 && ByteText.allDigits(value)
                ? "fails the NPI check digit" : "is not 10 digits"
            errors.append(RowError(.invalidNPI, column: column, "\(column) \(quoted(value)) \(detail)"))
            return nil
        }
        return value
    }

    static func timestamp(
        _ value: UnsafeRawBufferPointer, _ column: String, offset: RFC3339.Offset, hasOffset: inout Bool,
        _ errors: inout [RowError]
    ) -> UnsafeRawBufferPointer? {
        if missing(value, column, &errors) { return nil }
        if let problem = RFC3339.problem(value, offset: offset, hasOffset: &hasOffset) {
            errors.append(
                RowError(
                    .invalidTimestamp, column: column,
                    "\(column) \(quoted(value)) is not an RFC 3339 timestamp: \(problem)"))
            return nil
        }
        return value
    }
}
