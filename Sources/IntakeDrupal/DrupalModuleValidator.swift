import Foundation
import IntakeSupport

/// Validates one element of `modules`.
enum DrupalModuleValidator {
    /// The module when every required member is present and well-typed (its other problems are
    /// still recorded); nil when something required is missing.
    static func validate(_ node: JSONNode, path: String, problems: inout DrupalProblemList) -> DrupalModuleInfo? {
        guard let object = node.objectValue else {
            problems.add(path, "must be an object, found \(node.kindDescription)")
            return nil
        }

        let machineName = problems.requiredString(object, "machine_name", path: "\(path).machine_name")
        if let machineName {
            problems.checkLength(machineName, path: "\(path).machine_name", min: 1, max: 255)
            if !machineName.isEmpty && !isMachineName(machineName) {
                problems.add(
                    "\(path).machine_name",
                    "\(ValidationProblem.quote(machineName)) is not a Drupal machine name: lowercase letters, digits and underscores, not starting with a digit"
                )
            }
        }

        let name = problems.requiredString(object, "name", path: "\(path).name")
        if let name { problems.checkLength(name, path: "\(path).name", min: 1, max: 255) }

        var type: DrupalModuleType?
        if let text = problems.requiredString(object, "type", path: "\(path).type") {
            type = DrupalModuleType(rawValue: text)
            if type == nil { problems.add("\(path).type", "\(ValidationProblem.quote(text)) is not one of core, contrib, custom") }
        }

        let version = problems.requiredString(object, "version", path: "\(path).version")
        if let version, DrupalVersion(version) == nil {
            problems.add(
                "\(path).version",
                "\(ValidationProblem.quote(version)) is not a Drupal version (e.g. 8.x-1.0, 8.x-1.0-beta2, 1.0.0, 2.0.0-rc1, 3.x-dev, 8.x-2.x-dev)"
            )
        }

        var status: Bool?
        switch object["status"] {
        case nil, .null?: problems.add("\(path).status", "is required")
        case .bool(let value)?: status = value
        case let other?: problems.add("\(path).status", "must be true or false, found \(other.kindDescription)")
        }

        var schemaVersion: Int?
        switch object["schema_version"] {
        case nil, .null?: break
        case .number(let text)? where Int(text).map { $0 >= -1 } == true: schemaVersion = Int(text)
        case let other?:
            problems.add(
                "\(path).schema_version",
                "must be an integer of -1 or more, found \(other.numberText ?? other.kindDescription)")
        }

        let package = problems.optionalString(object, "package", path: "\(path).package")
        if let package { problems.checkLength(package, path: "\(path).package", min: 0, max: 255) }

        let coreCompatibility = problems.optionalStringArray(
            object, "core_compatibility", path: "\(path).core_compatibility")
        let dependencies = problems.optionalStringArray(object, "dependencies", path: "\(path).dependencies")
        let description = problems.optionalString(object, "description", path: "\(path).description")

        var projectLink = problems.optionalString(object, "project_link", path: "\(path).project_link")
        if projectLink == "" { projectLink = nil }
        if let link = projectLink, !isWebURL(link) {
            problems.add("\(path).project_link", "\(ValidationProblem.quote(link)) is not an absolute http(s) URL")
        }

        var securityCoverage = true
        switch object["security_coverage"] {
        case nil, .null?: break
        case .bool(let value)?: securityCoverage = value
        case let other?:
            problems.add("\(path).security_coverage", "must be true or false, found \(other.kindDescription)")
        }

        guard let machineName, let name, let type, let version, let status else { return nil }
        return DrupalModuleInfo(
            machineName: machineName, name: name, type: type, version: version, status: status,
            schemaVersion: schemaVersion, package: package, coreCompatibility: coreCompatibility,
            dependencies: dependencies, description: description, projectLink: projectLink,
            securityCoverage: securityCoverage)
    }

    /// Drupal's rule for extension names: `[a-z0-9_]`, and PHP function names cannot start with a
    /// digit (hooks are `{machine_name}_{hook}`).
    static func isMachineName(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
        }
    }

    /// An absolute http(s) URL with a host: `scheme://[userinfo@]host[:port][/…]`, no whitespace.
    /// Checked by hand — Foundation's URL parser costs more than the rest of a module's checks.
    static func isWebURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 2048 else { return false }
        var rest = bytes[...]
        let lowered = bytes.prefix(8).map { $0 | 0x20 }
        if lowered.starts(with: Array("https://".utf8)) {
            rest = bytes.dropFirst(8)
        } else if lowered.starts(with: Array("http://".utf8)) {
            rest = bytes.dropFirst(7)
        } else {
            return false
        }
        guard !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return false }
        var authority = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        if authority.first == UInt8(ascii: "[") {
            // An IPv6 literal: `[…]` then an optional `:port`.
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")), close > authority.startIndex + 1 else { return false }
            let after = authority[(close + 1)...]
            return after.isEmpty || isPort(after)
        }
        if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            guard isPort(authority[colon...]) else { return false }
            authority = authority[..<colon]
        }
        return !authority.isEmpty
            && authority.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == 0x2D
                    || byte == 0x2E || byte == 0x5F || byte >= 0x80
            }
    }

    /// `:` followed by 1–5 digits.
    private static func isPort(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.first == UInt8(ascii: ":") && (2...6).contains(bytes.count)
            && bytes.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
