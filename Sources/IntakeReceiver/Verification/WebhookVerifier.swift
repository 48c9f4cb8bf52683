import Foundation
import NIOHTTP1

/// Proves that a webhook came from its sender, over the raw bytes of the body.
///
/// Verifiers fail closed: anything missing, malformed or stale is a ``VerificationFailure``,
/// which the receiver answers with a bare 401. Other errors (the key store unreachable) are
/// not a verdict and become a 503.
public protocol WebhookVerifier: Sendable {
    func verify(headers: HTTPHeaders, body: [UInt8]) async throws -> VerifiedSender
    /// Request headers that carry credentials or signatures: never stored with a delivery.
    var credentialHeaders: [String] { get }
}

/// Who a verified request came from, as far as the verifier can tell.
public enum VerifiedSender: Sendable, Equatable {
    /// A shared secret or signature checked out; all senders of the source look alike.
    case source
    /// A single configured API key matched.
    case staticKey
    /// A registered site's API key matched (`ingest.drupal_sites`).
    case site(id: Int64, name: String)

    /// The API-key rate limit bucket and `GET /deliveries` ownership key; nil for signatures.
    public var keyIdentity: String? {
        switch self {
        case .source: nil
        case .staticKey: "static"
        case .site(let id, _): "site:\(id)"
        }
    }
}

/// The request did not prove its origin. `reason` is for the log only; the client sees
/// nothing but 401, so that it learns nothing about which part failed.
public struct VerificationFailure: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "verification failed: \(reason)" }
}

/// Wall-clock seconds since the epoch; injectable so tests can check timestamp tolerance.
public struct UnixClock: Sendable {
    private let read: @Sendable () -> Int64

    public init(_ read: @escaping @Sendable () -> Int64) { self.read = read }

    public static let system = UnixClock { Int64(Date().timeIntervalSince1970) }

    /// A clock stuck at `seconds`, for tests.
    public static func fixed(_ seconds: Int64) -> UnixClock { UnixClock { seconds } }

    public var now: Int64 { read() }
}

extension HTTPHeaders {
    /// The header's value when it is present exactly once; several copies of a signature or
    /// key header are refused rather than guessed between.
    func single(_ name: String) -> String? {
        var found: String?
        for value in self[name] {
            if found != nil { return nil }
            found = value
        }
        return found
    }
}

/// Parses an integer timestamp made only of ASCII digits (no sign, no spaces).
func parseUnixSeconds(_ text: some StringProtocol) -> Int64? {
    guard !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return Int64(text)
}

/// Whether `timestamp` is within `tolerance` seconds of `now`, in either direction.
func isFresh(_ timestamp: Int64, now: Int64, tolerance: Int) -> Bool {
    let difference = timestamp > now ? timestamp - now : now - timestamp
    return difference <= Int64(tolerance)
}
