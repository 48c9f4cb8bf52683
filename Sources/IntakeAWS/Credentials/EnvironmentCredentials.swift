import Foundation

/// The first source: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
enum EnvironmentCredentials {
    /// nil when neither key is set; one without the other is a mistake worth stopping for.
    static func provider(_ environment: CredentialEnvironment) throws -> StaticCredentialProvider? {
        let accessKey = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (accessKey, secret) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw AWSConfigurationError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not set")
        case (nil, .some):
            throw AWSConfigurationError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not set")
        case (let accessKey?, let secret?):
            return StaticCredentialProvider(
                AWSCredentials(
                    accessKeyID: accessKey, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"]),
                name: "environment", detail: "AWS_ACCESS_KEY_ID")
        }
    }
}

/// The process environment as the credential sources read it: values trimmed, empty ones unset
/// (as `AWS_ACCESS_KEY_ID=` in a manifest means "not set").
struct CredentialEnvironment: Sendable {
    let values: [String: String]

    subscript(name: String) -> String? {
        guard let text = values[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    func isTrue(_ name: String) -> Bool { self[name]?.lowercased() == "true" }
}
