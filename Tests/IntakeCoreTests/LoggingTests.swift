import Foundation
import Logging
import Testing

@testable import IntakeCore

/// Collects what a handler writes.
final class CapturedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var buffers: [[UInt8]] = []

    lazy var output = LogOutput { [weak self] line in self?.append(line) }

    private func append(_ line: [UInt8]) {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.buffers.append(line)
    }

    var lines: [[UInt8]] {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.buffers
    }

    func json() throws -> [[String: Any]] {
        try self.lines.map { line in
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false, "one event, one line")
            let object = try JSONSerialization.jsonObject(with: Data(line))
            return try #require(object as? [String: Any])
        }
    }

    func text() -> [String] {
        self.lines.map { String(decoding: $0, as: UTF8.self) }
    }
}

@Suite("Logging")
struct LoggingTests {
    private func logger(_ captured: CapturedLines, format: LogFormat = .json, level: Logger.Level = .info) -> Logger {
        Logger(label: "intake.test") { label in
            IntakeLogHandler(label: label, format: format, level: level, output: captured.output)
        }
    }

    @Test("JSON lines carry ts, level, msg, logger, then flattened metadata")
    func jsonShape() throws {
        let captured = CapturedLines()
        var logger = self.logger(captured)
        logger[metadataKey: "worker"] = "sqs"
        logger.info(
            "claimed batch",
            metadata: ["delivery": ["id": "42", "source": "github"], "count": "3", "tags": ["a", "b"], "msg": "clash"]
        )
        let object = try #require(try captured.json().first)
        #expect(object["level"] as? String == "info")
        #expect(object["msg"] as? String == "claimed batch")
        #expect(object["logger"] as? String == "intake.test")
        #expect(object["worker"] as? String == "sqs")
        #expect(object["delivery.id"] as? String == "42")
        #expect(object["delivery.source"] as? String == "github")
        #expect(object["count"] as? String == "3")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect(object["meta.msg"] as? String == "clash")

        let raw = String(decoding: try #require(captured.lines.first), as: UTF8.self)
        #expect(raw.hasPrefix("{\"ts\":\""))
        let ts = try #require(object["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "ts was \(ts)")
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: ts) != nil)
    }

    @Test("control characters, quotes, backslashes and unicode survive a JSON round trip")
    func escaping() throws {
        let captured = CapturedLines()
        let logger = self.logger(captured)
        var tricky = "quote \" backslash \\ newline \n cr \r tab \t nul \u{0} bell \u{7} esc \u{1B} del \u{7F} "
        tricky += "é ü 日本語 🚀 \u{2028} \u{FEFF}"
        logger.error("\(tricky)", metadata: [tricky: .string(tricky)])
        let object = try #require(try captured.json().first)
        #expect(object["msg"] as? String == tricky)
        #expect(object[tricky] as? String == tricky)
        #expect(object["level"] as? String == "error")
    }

    @Test("the level filters what is written")
    func levels() throws {
        let captured = CapturedLines()
        let logger = self.logger(captured, level: .notice)
        logger.info("hidden")
        logger.debug("hidden")
        logger.notice("shown")
        logger.warning("shown too")
        #expect(try captured.json().map { $0["msg"] as? String } == ["shown", "shown too"])
    }

    @Test("metadata providers and explicit metadata merge, explicit wins")
    func metadataProvider() throws {
        let captured = CapturedLines()
        let provider = Logger.MetadataProvider { ["trace.id": "abc", "who": "provider"] }
        let logger = Logger(label: "p") {
            IntakeLogHandler(label: $0, output: captured.output, metadataProvider: provider)
        }
        logger.info("m", metadata: ["who": "call"])
        let object = try #require(try captured.json().first)
        #expect(object["trace.id"] as? String == "abc")
        #expect(object["who"] as? String == "call")
    }

    @Test("concurrent loggers never interleave lines")
    func concurrency() async throws {
        let captured = CapturedLines()
        let logger = self.logger(captured)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<250 {
                        logger.info("line", metadata: ["task": "\(task)", "index": "\(index)", "pad": .string(String(repeating: "x", count: 300))])
                    }
                }
            }
        }
        let objects = try captured.json()
        #expect(objects.count == 2000)
        #expect(Set(objects.compactMap { o in (o["task"] as? String).map { "\($0)/\(o["index"] as? String ?? "")" } }).count == 2000)
    }

    @Test("the text format is one readable line per event")
    func textFormat() throws {
        let captured = CapturedLines()
        let logger = self.logger(captured, format: .text)
        logger.warning("two\nlines", metadata: ["key": "has space", "n": "1"])
        let lines = captured.text()
        let line = try #require(lines.first)
        #expect(lines.count == 1)
        #expect(line.contains(" WARNING [intake.test] two\\nlines key=\"has space\" n=1\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test("INTAKE_LOG_FORMAT and INTAKE_LOG_LEVEL", arguments: [
        ([:], LogFormat.json, Logger.Level.info, 0),
        (["INTAKE_LOG_FORMAT": "text", "INTAKE_LOG_LEVEL": "DEBUG"], .text, .debug, 0),
        (["INTAKE_LOG_LEVEL": "warn"], .json, .warning, 0),
        (["INTAKE_LOG_FORMAT": "xml", "INTAKE_LOG_LEVEL": "loud"], .json, .info, 2),
    ])
    func environment(env: [String: String], format: LogFormat, level: Logger.Level, problems: Int) {
        let settings = IntakeLogging.settings(environment: env)
        #expect(settings.format == format)
        #expect(settings.level == level)
        #expect(settings.problems.count == problems)
    }

    @Test("writes to a file descriptor, one line per write")
    func fileDescriptorOutput() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        let output = LogOutput(fileDescriptor: descriptors[1])
        let logger = Logger(label: "fd") { IntakeLogHandler(label: $0, output: output) }
        logger.info("through a pipe")
        close(descriptors[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(descriptors[0], &buffer, buffer.count)
        let object = try JSONSerialization.jsonObject(with: Data(buffer[0..<max(count, 0)])) as? [String: Any]
        #expect(object?["msg"] as? String == "through a pipe")
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
