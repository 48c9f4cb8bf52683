import Foundation

/// The AWS CLI's shared files: `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`,
/// sections `[NAME]`) and `AWS_CONFIG_FILE` (default `~/.aws/config`, sections `[default]` and
/// `[profile NAME]`), and the profile to use: `AWS_PROFILE`, else `default`. A missing file
/// counts as empty, as in the SDKs.
struct SharedConfigFiles: Sendable {
    let credentialsPath: String
    let configPath: String
    let credentialsSections: [String: [String: String]]
    let configSections: [String: [String: String]]
    /// `AWS_PROFILE`, else `default`.
    let selectedProfile: String
    /// Whether `AWS_PROFILE` named the profile (then a missing profile is an error).
    let profileWasNamed: Bool

    static func load(_ environment: CredentialEnvironment) throws -> SharedConfigFiles {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ path: String) -> String { path.hasPrefix("~/") ? home + path.dropFirst() : path }
        let credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
        let configPath = expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        let named = environment["AWS_PROFILE"]
        return SharedConfigFiles(
            credentialsPath: credentialsPath, configPath: configPath,
            credentialsSections: try sections(ofFile: credentialsPath, isConfig: false),
            configSections: try sections(ofFile: configPath, isConfig: true),
            selectedProfile: named ?? "default", profileWasNamed: named != nil)
    }

    /// The profile's keys (lower-case names): the config file's, overridden by the credentials
    /// file's. nil when neither file has the profile.
    func profile(_ name: String) -> [String: String]? {
        let config = configSections[name]
        let credentials = credentialsSections[name]
        if config == nil && credentials == nil { return nil }
        return (config ?? [:]).merging(credentials ?? [:]) { $1 }
    }

    /// Where a profile was found, for messages.
    func location(of name: String) -> String {
        credentialsSections[name] != nil ? credentialsPath : configPath
    }

    var region: String? { profile(selectedProfile)?["region"].flatMap { $0.isEmpty ? nil : $0 } }

    static func sections(ofFile path: String, isConfig: Bool) throws -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            return parse(try String(contentsOfFile: path, encoding: .utf8), isConfig: isConfig)
        } catch {
            throw AWSConfigurationError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// INI as the CLI writes it. Indented lines belong to nested settings (`s3 =` blocks),
    /// which no credential source reads; `#` and `;` start comment lines. In the config file
    /// only `[default]` and `[profile NAME]` are profiles.
    static func parse(_ text: String, isConfig: Bool) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var current: String? = nil
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let section = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = profileName(section: section, isConfig: isConfig)
                if let current, result[current] == nil { result[current] = [:] }
                continue
            }
            guard let current, rawLine.first?.isWhitespace != true, let equals = line.firstIndex(of: "=") else {
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            result[current, default: [:]][key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    private static func profileName(section: String, isConfig: Bool) -> String? {
        guard isConfig else { return section }
        if section == "default" { return section }
        guard section.hasPrefix("profile ") else { return nil }
        let name = section.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }
}
