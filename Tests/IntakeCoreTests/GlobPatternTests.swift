import IntakeSupport
import Testing

import IntakeCore

@Suite("Route globs")
struct GlobPatternTests {
    @Test("matches", arguments: [
        ("*", "anything/at/all.csv"), ("*", ""), ("claims/*.csv", "claims/a.csv"),
        ("claims/*.csv", "claims/2024/01/a.csv"), ("a?c", "abc"), ("*.ndjson", "x.ndjson"),
        ("a*b*c", "aXbYbZc"), (#"lit\*"#, "lit*"), ("é?", "éa"),
    ])
    func matches(pattern: String, text: String) {
        #expect(GlobPattern(pattern).matches(text))
    }

    @Test("does not match", arguments: [
        ("claims/*.csv", "claims/a.csvx"), ("claims/*.csv", "xclaims/a.csv"), ("a?c", "ac"),
        ("a?c", "abbc"), ("*.csv", "a.CSV"), (#"lit\*"#, "litX"), ("a*b*c", "aXbYbZ"),
    ])
    func doesNotMatch(pattern: String, text: String) {
        #expect(!GlobPattern(pattern).matches(text))
    }

    @Test("many stars do not blow up")
    func pathological() {
        let text = String(repeating: "a", count: 2000)
        #expect(!GlobPattern(String(repeating: "*a", count: 30) + "b").matches(text))
    }

    @Test("first matching route wins, bucket included")
    func firstMatch() {
        let routes = [
            RouteSettings(bucket: GlobPattern("private-*"), key: GlobPattern("*"), handler: "private"),
            RouteSettings(key: GlobPattern("claims/*.csv"), handler: "claims"),
            RouteSettings(key: GlobPattern("*"), handler: "fallback"),
        ]
        #expect(routes.firstMatch(bucket: "private-eu", key: "claims/a.csv")?.handler == "private")
        #expect(routes.firstMatch(bucket: "public", key: "claims/a.csv")?.handler == "claims")
        #expect(routes.firstMatch(bucket: "public", key: "x")?.handler == "fallback")
    }

    @Test("retry overrides resolve key by key, straight into the policy type")
    func retryOverrides() throws {
        let config = try IntakeConfiguration.parse(
            yaml: """
                retry:
                  max_attempts: 6
                  cap_seconds: 600
                  handlers:
                    slow: { base_seconds: 30 }
                """,
            environment: ["DATABASE_URL": "host=/tmp dbname=intake"])
        #expect(config.retry.policy(for: "slow") == RetryPolicy(maxAttempts: 6, base: .seconds(30), cap: .seconds(600)))
        #expect(config.retry.policy(for: "other") == RetryPolicy(maxAttempts: 6, base: .seconds(1), cap: .seconds(600)))
    }
}
