/// Checks that bytes are one well-formed JSON text (RFC 8259, UTF-8) and picks out the
/// top-level `id` member on the way, in one pass without building any objects.
///
/// The receiver only needs a yes/no and the idempotency key; a full parse per request would
/// cost more CPU than everything else it does.
///
/// Well-formed is not enough: a delivery is answered 202 only if its handler can store it, and
/// the handlers store JSON as PostgreSQL `jsonb`. So the scanner also refuses what `jsonb`
/// refuses though JSON allows it (checked against PostgreSQL 15): the escape `\u0000`, an
/// unpaired surrogate escape, and a number outside `numeric`'s range.
struct JSONScanner {
    /// Deep enough for any real payload, shallow enough that recursion cannot exhaust the stack.
    static let maxDepth = 256

    enum Failure: Error, Equatable {
        case malformed(offset: Int)
        case tooDeep
        /// Well-formed JSON that PostgreSQL's `jsonb` refuses: what, and where it starts.
        case unstorable(offset: Int, problem: String)
    }

    struct Outcome: Equatable {
        /// The top-level object's `id`: a string's decoded value or a number's text.
        var id: String?
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var id: String?

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func scan(_ bytes: [UInt8]) throws(Failure) -> Outcome {
        do {
            return try bytes.withUnsafeBytes { buffer in
                var scanner = JSONScanner(buffer)
                return try scanner.document()
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .malformed(offset: 0)
        }
    }

    private mutating func document() throws(Failure) -> Outcome {
        // A UTF-8 byte order mark is not JSON (RFC 8259 §8.1 lets parsers ignore it); refuse it.
        skipWhitespace()
        try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw .malformed(offset: index) }
        return Outcome(id: id)
    }

    private var failure: Failure { .malformed(offset: index) }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard index < bytes.count else { throw failure }
        switch bytes[index] {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try string(capture: false)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw failure }
        index += count
    }

    private mutating func object(depth: Int) throws(Failure) {
        guard depth <= Self.maxDepth else { throw .tooDeep }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure }
            let key = try string(capture: depth == 1)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure }
            index += 1
            skipWhitespace()
            if depth == 1, key == "id", index < bytes.count {
                let start = index
                switch bytes[index] {
                case UInt8(ascii: "\""): id = try string(capture: true)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try number()
                    id = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                default: try value(depth: depth)
                }
            } else {
                try value(depth: depth)
            }
            skipWhitespace()
            guard index < bytes.count else { throw failure }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            } else {
                throw failure
            }
        }
    }

    private mutating func array(depth: Int) throws(Failure) {
        guard depth <= Self.maxDepth else { throw .tooDeep }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try value(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw failure }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            } else {
                throw failure
            }
        }
    }

    /// Scans a string starting at its opening quote; returns its decoded value when `capture`.
    private mutating func string(capture: Bool) throws(Failure) -> String? {
        index += 1
        let start = index
        var decoded: [UInt8]? = nil
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let end = index
                index += 1
                guard capture else { return nil }
                if let decoded { return String(decoding: decoded, as: UTF8.self) }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            case UInt8(ascii: "\\"):
                if capture, decoded == nil { decoded = Array(bytes[start..<index]) }
                try escape(into: &decoded)
            case 0x00..<0x20:
                throw failure
            case 0x80...:
                let end = try utf8Sequence()
                decoded?.append(contentsOf: bytes[index..<end])
                index = end
            default:
                decoded?.append(byte)
                index += 1
            }
        }
        throw failure
    }

    /// Validates one escape sequence at `index` (the backslash), appending its UTF-8 to `out`.
    private mutating func escape(into out: inout [UInt8]?) throws(Failure) {
        let start = index
        guard index + 1 < bytes.count else { throw failure }
        let code = bytes[index + 1]
        index += 2
        let simple: UInt8?
        switch code {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default: throw failure
        }
        if let simple {
            out?.append(simple)
            return
        }
        var scalar = try hex4()
        if scalar == 0 {
            throw .unstorable(offset: start, problem: "the escape \\u0000 (PostgreSQL's jsonb cannot hold U+0000)")
        }
        // Lone surrogates are legal JSON text but not Unicode, and jsonb refuses them.
        let unpaired = Failure.unstorable(
            offset: start, problem: "an unpaired UTF-16 surrogate escape (PostgreSQL's jsonb accepts only pairs)")
        if (0xDC00..<0xE000).contains(scalar) { throw unpaired }
        if (0xD800..<0xDC00).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw unpaired }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw unpaired }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        if out != nil {
            let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out!.append(contentsOf: Array(String(value).utf8))
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x37
            default: throw failure
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence at `index`; returns the index after it.
    private func utf8Sequence() throws(Failure) -> Int {
        let lead = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw failure
        }
        guard index + length <= bytes.count else { throw failure }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { throw failure }
        for offset in 2..<max(length, 2) where offset < length {
            guard bytes[index + offset] & 0xC0 == 0x80 else { throw failure }
        }
        return index + length
    }

    @discardableResult
    private mutating func number() throws(Failure) -> Int {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw failure }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) {
            skipDigits()
        } else {
            throw failure
        }
        let integer = integerStart..<index
        var fraction = index..<index
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            guard skipDigits() > 0 else { throw failure }
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
            guard skipDigits() > 0 else { throw failure }
            for position in exponentStart..<index {
                // Saturates far beyond any limit below.
                exponent = min(exponent * 10 + Int(bytes[position] - 0x30), 1 << 40)
            }
            if negative { exponent = -exponent }
        }
        if let problem = Self.numericRangeProblem(integer: integer, fraction: fraction, exponent: exponent, in: bytes) {
            throw .unstorable(offset: start, problem: problem)
        }
        return index - start
    }

    /// Why PostgreSQL's `numeric` (which `jsonb` stores numbers as) would refuse the number
    /// with these digits and exponent, or nil. PostgreSQL 15's limits: an exponent within
    /// ±(2^31-1)/2, at most 16383 digits after the decimal point as written (trailing zeros
    /// count), and a magnitude below 10^131072.
    static func numericRangeProblem(
        integer: Range<Int>, fraction: Range<Int>, exponent: Int, in bytes: UnsafeRawBufferPointer
    ) -> String? {
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

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index - start
    }
}
