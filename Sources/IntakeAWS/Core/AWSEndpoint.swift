import Foundation

/// Where a service is reached: scheme, host, optional port and a base path (for an endpoint
/// like `http://localhost:4566/custom`).
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var basePath: String

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
    }

    /// Parses `http(s)://host[:port][/path]`.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw AWSError(
                kind: .invalidRequest, message: "endpoint '\(text)' is not an http(s) URL like http://localhost:4566")
        }
        self.init(scheme: scheme, host: host, port: components.port, basePath: components.percentEncodedPath)
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return host }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(bracketed):\(port)"
    }

    public func url(path: String, query: String = "") -> String {
        var url = scheme + "://" + hostHeader + basePath + (path.isEmpty ? "/" : path)
        if !query.isEmpty { url += "?" + query }
        return url
    }

    public var description: String { url(path: basePath.isEmpty ? "" : "/") }
}
