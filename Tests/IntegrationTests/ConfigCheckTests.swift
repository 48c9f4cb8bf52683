import Foundation
import IntakeTestSupport
import Testing

/// `intakectl config check` as an operator runs it: every problem in one run, exit 78; 0 when good.
@Suite("intakectl config check")
struct ConfigCheckTests {
    func check(_ yaml: String, extra: [String] = []) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("intake.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try runProduct("intakectl", ["config", "check", "--config", file.path] + extra)
    }

    static let good = """
        database: { url: "postgresql://intake@db.example.internal/intake" }
        sources:
          github:
            verify: { type: hmac-sha256, header: X-Hub-Signature-256, prefix: "sha256=", secret: "0123456789abcdef0123" }
            handler: webhook.generic
        sqs: { queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/intake" }
        routes:
          - { bucket: "*", key: "claims/*.csv", handler: csv.pharmacy_claims }
        """

    @Test func aGoodFileExitsZero() throws {
        let (status, output) = try check(Self.good)
        #expect(status == 0, "\(output)")
        #expect(output.contains(": ok"))
    }

    @Test func everyProblemIsReportedInOneRunWithExit78() throws {
        let bad = """
            database: { url: "postgresql://intake@db.example.internal/intake" }
            sources:
              github:
                verify: { type: hmac, secret: "0123456789abcdef0123" }
                handler: webhook.generic
            sqs: { queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/intake" }
            routes:
              - { bucket: "*", key: "claims/*.csv", handler: csv.no_such_format }
            workers: { concurency: 4 }
            """
        let (status, output) = try check(bad)
        #expect(status == 78, "\(output)")
        #expect(output.contains("sources.github.verify.type: unknown verifier \"hmac\""), "\(output)")
        #expect(output.contains("routes[0].handler: unknown handler \"csv.no_such_format\""), "\(output)")
        #expect(output.contains("workers.concurency"), "\(output)")
    }

    @Test func jsonListsTheProblemsByKey() throws {
        let (status, output) = try check(Self.good.replacingOccurrences(of: "0123456789abcdef0123", with: "short"), extra: ["--json"])
        #expect(status == 78)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(report["ok"] as? Bool == false)
        let problems = try #require(report["problems"] as? [[String: String]])
        #expect(problems.map { $0["path"] } == ["sources.github.verify.secret"])
        #expect(!output.contains("\"short\""), "the secret's value reached the output")
    }
}
