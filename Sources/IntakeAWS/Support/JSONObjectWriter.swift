import IntakeSupport

/// Builds small JSON request bodies directly: cheaper than JSONEncoder for the handful of
/// fields an SQS request carries.
struct JSONObjectWriter {
    private(set) var text = "{"
    private var first = true

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        JSONString.append(name, to: &text)
        text += ":"
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        JSONString.append(value, to: &text)
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
            JSONString.append(value, to: &text)
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
