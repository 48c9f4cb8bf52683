extension JSONCursor {
    /// Reads the number at `index` and returns where its text is. With
    /// ``JSONReadOptions/requireStorable``, refuses what PostgreSQL's `numeric` cannot hold.
    mutating func number() throws(JSONParseError) -> Range<Int> {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit in a number") }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure("a number may not have a leading zero") }
        } else {
            skipDigits()
        }
        let integer = integerStart..<index
        var fraction = index..<index
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            guard skipDigits() > 0 else { throw failure("expected a digit after the decimal point") }
            fraction = fractionStart..<index
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            guard skipDigits() > 0 else { throw failure("expected a digit in the exponent") }
            for position in exponentStart..<index {
                // Saturates far beyond any limit below.
                exponent = min(exponent * 10 + Int(bytes[position] - 0x30), 1 << 40)
            }
            if negative { exponent = -exponent }
        }
        if options.requireStorable,
            let problem = numericRangeProblem(integer: integer, fraction: fraction, exponent: exponent)
        {
            throw JSONParseError(.unstorable, offset: start, reason: problem)
        }
        return start..<index
    }

    /// Why PostgreSQL's `numeric` (which `jsonb` stores numbers as) would refuse the number
    /// with these digits and exponent, or nil. PostgreSQL 15's limits: an exponent within
    /// ±(2^31-1)/2, at most 16383 digits after the decimal point as written (trailing zeros
    /// count), and a magnitude below 10^131072.
    private func numericRangeProblem(integer: Range<Int>, fraction: Range<Int>, exponent: Int) -> String? {
        let exponentLimit = Int(Int32.max) / 2
        if exponent >= exponentLimit || exponent <= -exponentLimit {
            return "a number whose exponent is out of PostgreSQL's numeric range"
        }
        if fraction.count - exponent > 16383 {
            return "a number with more than 16383 digits after the decimal point (PostgreSQL's numeric limit)"
        }
        // The decimal exponent of the leading nonzero digit: 10^131072 and above overflow.
        let leadingWeight: Int
        if let lead = integer.first(where: { bytes[$0] != UInt8(ascii: "0") }) {
            leadingWeight = integer.upperBound - 1 - lead
        } else if let lead = fraction.first(where: { bytes[$0] != UInt8(ascii: "0") }) {
            leadingWeight = fraction.lowerBound - 1 - lead
        } else {
            return nil  // zero, whatever its exponent
        }
        if leadingWeight + exponent > 131_071 {
            return "a number of 10^131072 or more (PostgreSQL's numeric limit)"
        }
        return nil
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        return index - start
    }
}
