import Foundation

/// A source of AWS credentials. Clients ask for the current credentials before signing each
/// request; sources of temporary credentials fetch new ones each time they are asked, and a
/// `RefreshingCredentialProvider` in front of them decides when that is needed.
public protocol CredentialProvider: Sendable {
    /// The source's name as operators see it in logs and `intakectl aws whoami`:
    /// `environment`, `web-identity`, `container`, `profile`, `imds`, or `static`.
    var name: String { get }
    /// What the source reads from, for operators (a role ARN, a URL, a profile name); never a
    /// secret.
    var detail: String { get }
    func credentials() async throws -> AWSCredentials
}

/// Credentials that never change: the environment's keys, a profile's keys, or given by a test.
public struct StaticCredentialProvider: CredentialProvider {
    public let name: String
    public let detail: String
    let value: AWSCredentials

    public init(_ credentials: AWSCredentials, name: String = "static", detail: String = "") {
        self.value = credentials
        self.name = name
        self.detail = detail
    }

    public func credentials() async throws -> AWSCredentials { value }
}

/// Why credentials could not be found or fetched. The message names the source and what to
/// fix; it never holds a secret.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public let source: String
    public let message: String

    public init(source: String, _ message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "AWS credentials (\(source)): \(message)" }
}
