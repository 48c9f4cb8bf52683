import Logging

/// How log lines look: `json` (one object per line, the default) or `text` for people.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text
}

/// A swift-log handler that writes one line per event to a ``LogOutput``.
///
/// JSON lines start with `ts` (RFC 3339, UTC, milliseconds), `level`, `msg` and `logger` (the
/// label), followed by the metadata with nested dictionaries flattened into dotted keys
/// (`delivery.id`). A metadata key that collides with those four is written as `meta.KEY`.
public struct IntakeLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public let label: String
    public let format: LogFormat
    private let output: LogOutput

    public init(
        label: String,
        format: LogFormat = .json,
        level: Logger.Level = .info,
        output: LogOutput = .standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error"] = .string(String(describing: error))
        }
        let line: [UInt8]
        switch self.format {
        case .json: line = self.jsonLine(event, merged.flattened())
        case .text: line = self.textLine(event, merged.flattened())
        }
        self.output.write(line)
    }

    private static let reservedKeys: Set<String> = ["ts", "level", "msg", "logger"]

    private func jsonLine(_ event: LogEvent, _ metadata: [(key: String, value: Logger.Metadata.Value)]) -> [UInt8] {
        var encoder = LogLineEncoder()
        encoder.append("{\"ts\":\"")
        encoder.appendTimestamp()
        encoder.append("\",\"level\":\"")
        encoder.append(event.level.rawValue)
        encoder.append("\",\"msg\":")
        encoder.appendJSONString(event.message.description)
        encoder.append(",\"logger\":")
        encoder.appendJSONString(self.label)
        for (key, value) in metadata {
            encoder.append(byte: UInt8(ascii: ","))
            encoder.appendJSONString(Self.reservedKeys.contains(key) ? "meta.\(key)" : key)
            encoder.append(byte: UInt8(ascii: ":"))
            encoder.appendJSONValue(value)
        }
        encoder.append("}\n")
        return encoder.bytes
    }

    private func textLine(_ event: LogEvent, _ metadata: [(key: String, value: Logger.Metadata.Value)]) -> [UInt8] {
        var encoder = LogLineEncoder()
        encoder.appendTimestamp()
        let level = event.level.rawValue.uppercased()
        encoder.append(" " + level + String(repeating: " ", count: max(0, 8 - level.count)))
        encoder.append("[\(self.label)] ")
        encoder.append(Self.singleLine(event.message.description))
        for (key, value) in metadata {
            encoder.append(" \(key)=")
            let text = Self.singleLine(Self.plainText(value))
            if text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) {
                encoder.appendJSONString(text)
            } else {
                encoder.append(text)
            }
        }
        encoder.append("\n")
        return encoder.bytes
    }

    private static func plainText(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(plainText).joined(separator: ", ") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.sorted { $0.key < $1.key }.map { "\($0.key): \(plainText($0.value))" }
                .joined(separator: ", ") + "}"
        }
    }

    /// Keeps one event on one line even in the human format.
    private static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline }) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }
}
