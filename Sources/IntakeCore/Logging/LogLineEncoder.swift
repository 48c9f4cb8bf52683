import Foundation
import IntakeSupport
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds one log line into a byte buffer: JSON (one object per line) or a human format.
/// Written by hand to avoid JSONSerialization's allocations on every line.
struct LogLineEncoder {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        self.bytes.reserveCapacity(capacity)
    }

    mutating func append(_ text: String) {
        self.bytes.append(contentsOf: text.utf8)
    }

    mutating func append(byte: UInt8) {
        self.bytes.append(byte)
    }

    /// A JSON string literal with quotes (the shared writer's rules).
    mutating func appendJSONString(_ text: String) {
        JSONString.append(text, to: &self.bytes)
    }

    /// A metadata value as JSON: strings as strings, lists as arrays, nested dictionaries as objects
    /// (dictionaries at the top level are flattened into dotted keys before this is called).
    mutating func appendJSONValue(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let text): self.appendJSONString(text)
        case .stringConvertible(let convertible): self.appendJSONString(convertible.description)
        case .array(let items):
            self.append(byte: UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { self.append(byte: UInt8(ascii: ",")) }
                self.appendJSONValue(item)
            }
            self.append(byte: UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            self.append(byte: UInt8(ascii: "{"))
            for (index, entry) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { self.append(byte: UInt8(ascii: ",")) }
                self.appendJSONString(entry.key)
                self.append(byte: UInt8(ascii: ":"))
                self.appendJSONValue(entry.value)
            }
            self.append(byte: UInt8(ascii: "}"))
        }
    }

    /// `2025-01-31T12:34:56.789Z`: RFC 3339, UTC, milliseconds.
    mutating func appendTimestamp() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        self.appendDigits(Int(parts.tm_year) + 1900, width: 4)
        self.append(byte: UInt8(ascii: "-"))
        self.appendDigits(Int(parts.tm_mon) + 1, width: 2)
        self.append(byte: UInt8(ascii: "-"))
        self.appendDigits(Int(parts.tm_mday), width: 2)
        self.append(byte: UInt8(ascii: "T"))
        self.appendDigits(Int(parts.tm_hour), width: 2)
        self.append(byte: UInt8(ascii: ":"))
        self.appendDigits(Int(parts.tm_min), width: 2)
        self.append(byte: UInt8(ascii: ":"))
        self.appendDigits(Int(parts.tm_sec), width: 2)
        self.append(byte: UInt8(ascii: "."))
        self.appendDigits(Int(now.tv_nsec) / 1_000_000, width: 3)
        self.append(byte: UInt8(ascii: "Z"))
    }

    private mutating func appendDigits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            self.bytes.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
            divisor /= 10
        }
    }
}

extension Logger.Metadata {
    /// Nested dictionaries become dotted keys (`["http": ["status": 200]]` → `http.status`),
    /// sorted so that lines are stable and easy to diff.
    func flattened() -> [(key: String, value: Logger.Metadata.Value)] {
        var result: [(key: String, value: Logger.Metadata.Value)] = []
        func visit(_ metadata: Logger.Metadata, prefix: String) {
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                let fullKey = prefix.isEmpty ? key : "\(prefix).\(key)"
                if case .dictionary(let nested) = value, !nested.isEmpty {
                    visit(nested, prefix: fullKey)
                } else {
                    result.append((fullKey, value))
                }
            }
        }
        visit(self, prefix: "")
        return result
    }
}
