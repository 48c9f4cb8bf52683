/// Builds small JSON request bodies directly: cheaper than JSONEncoder for the handful of
/// fields an SQS request carries.
struct JSONObjectWriter {
    private(set) var text = "{"
    private var first = true

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        JSONText.appendQuoted(name, to: &text)
        text += ":"
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        JSONText.appendQuoted(value, to: &text)
    }

    mutating func field(_ name: String, _ value: Int) {
        key(name)
        text += String(value)
    }

    mutating func field(_ name: String, _ values: [String]) {
        key(name)
        text += "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            JSONText.appendQuoted(value, to: &text)
        }
        text += "]"
    }

    mutating func field(_ name: String, object: JSONObjectWriter) {
        key(name)
        text += object.finished
    }

    mutating func field(_ name: String, objects: [JSONObjectWriter]) {
        key(name)
        text += "["
        for (index, object) in objects.enumerated() {
            if index > 0 { text += "," }
            text += object.finished
        }
        text += "]"
    }

    var finished: String { text + "}" }
    var bytes: [UInt8] { Array(finished.utf8) }
}

enum JSONText {
    private static let hex: [Character] = Array("0123456789abcdef")

    static func appendQuoted(_ value: String, to output: inout String) {
        output += "\""
        var plain = true
        for byte in value.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            output += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                case _ where scalar.value < 0x20:
                    output += "\\u00"
                    output.append(hex[Int(scalar.value >> 4)])
                    output.append(hex[Int(scalar.value & 0xf)])
                default: output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
