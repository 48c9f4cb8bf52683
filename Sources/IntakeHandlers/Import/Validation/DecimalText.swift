/// Decimal numbers kept exactly as text: `[-+]digits[.digits]` (also `.5`), no exponent. What
/// is checked here is what `numeric(p, s)` would otherwise reject for a whole COPY chunk.
struct DecimalText {
    var isNegative: Bool
    var isZero: Bool
    /// Integer digits without leading zeros.
    var integerDigits: Int
    var scale: Int

    init?(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        let count = bytes.count
        isNegative = false
        if i < count && (bytes[i] == 0x2D || bytes[i] == 0x2B) {
            isNegative = bytes[i] == 0x2D
            i += 1
        }
        var significant = false
        var digits = 0
        var integerDigits = 0
        while i < count && ByteText.isDigit(bytes[i]) {
            if bytes[i] != 0x30 { significant = true }
            if significant { integerDigits += 1 }
            digits += 1
            i += 1
        }
        var scale = 0
        if i < count && bytes[i] == 0x2E {
            i += 1
            while i < count && ByteText.isDigit(bytes[i]) {
                if bytes[i] != 0x30 { significant = true }
                scale += 1
                i += 1
            }
            guard scale > 0 else { return nil }
        }
        guard i == count, digits + scale > 0 else { return nil }
        self.integerDigits = integerDigits
        self.scale = scale
        isZero = !significant
    }
}
