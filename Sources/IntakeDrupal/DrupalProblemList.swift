import IntakeSupport

/// Collects validation problems and reads typed members of a JSON object, reporting each missing or
/// mistyped member at its path. Paths are built only when there is a problem to report: a valid
/// 2,000-module request would otherwise format some 25,000 path strings for nothing.
struct DrupalProblemList {
    private(set) var list: [ValidationProblem] = []

    var count: Int { list.count }
    var isEmpty: Bool { list.isEmpty }

    mutating func add(_ path: String, _ message: String) {
        list.append(ValidationProblem(path: path, message: message))
    }

    /// A required string; nil (with a problem recorded) when absent, null or not a string.
    mutating func requiredString(_ object: JSONObject, _ key: String, path: @autoclosure () -> String) -> String? {
        switch object[key] {
        case nil, .null?:
            add(path(), "is required")
            return nil
        case .string(let value)?:
            return value
        case let other?:
            add(path(), "must be a string, found \(other.kindDescription)")
            return nil
        }
    }

    /// An optional string; nil when absent or null, and nil with a problem when mistyped.
    mutating func optionalString(_ object: JSONObject, _ key: String, path: @autoclosure () -> String) -> String? {
        switch object[key] {
        case nil, .null?:
            return nil
        case .string(let value)?:
            return value
        case let other?:
            add(path(), "must be a string, found \(other.kindDescription)")
            return nil
        }
    }

    /// Checks a length in characters (Unicode scalars, as Drupal's PHP and the seed schema count).
    mutating func checkLength(_ value: String, path: @autoclosure () -> String, min: Int, max: Int) {
        // Cheap upper bound first: a scalar is at least one UTF-8 byte.
        if value.utf8.count >= min && value.utf8.count <= max { return }
        let length = value.unicodeScalars.count
        if length < min || length > max {
            add(path(), "must be \(min)–\(max) characters, found \(length)")
        }
    }

    mutating func optionalStringArray(_ object: JSONObject, _ key: String, path: @autoclosure () -> String) -> [String] {
        switch object[key] {
        case nil, .null?:
            return []
        case .array(let elements)?:
            var strings: [String] = []
            strings.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                guard let value = element.stringValue else {
                    add("\(path())[\(index)]", "must be a string, found \(element.kindDescription)")
                    continue
                }
                checkLength(value, path: "\(path())[\(index)]", min: 1, max: 255)
                strings.append(value)
            }
            return strings
        case let other?:
            add(path(), "must be an array of strings, found \(other.kindDescription)")
            return []
        }
    }
}
