import IntakeCore
import IntakeHTTP
import IntakePostgres
import Logging
import NIOHTTP1

/// `GET /deliveries/{id}` for `api-key` sources: the delivery's status, attempts, last error
/// and result, to whoever presents the key it was sent with. Another site's key — or a
/// delivery of a source without API keys — gets 404, the same as an id that does not exist,
/// so ids cannot be probed.
struct DeliveryStatusRoute: Sendable {
    static let querySQL = """
        SELECT source, headers ->> 'x-intake-site-id',
               jsonb_build_object(
                   'delivery_id', id, 'source', source, 'status', status, 'attempts', attempts,
                   'last_error', last_error, 'result', result, 'received_at', received_at,
                   'finished_at', finished_at)::text
        FROM intake.deliveries WHERE id = $1
        """

    /// The `api-key` sources, by name.
    let routes: [String: SourceRoute]
    let pool: PostgresPool
    let logger: Logger
    let unavailableRetryAfter: Int

    func handle(_ request: HTTPRequest, id idText: Substring) async -> HTTPResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return Reply.error(.methodNotAllowed, "use GET", headers: ["allow": "GET, HEAD"])
        }
        guard let id = Int64(idText), id > 0 else { return Reply.error(.notFound, "no such delivery") }

        // Authenticate first, against every api-key source whose header was sent: whether an
        // id exists is nobody's business without a valid key.
        var verified: [String: VerifiedSender] = [:]
        var unavailable = false
        for (name, route) in routes where route.verifier.credentialHeaders.contains(where: { request.headers.contains(name: $0) }) {
            do {
                verified[name] = try await route.verifier.verify(headers: request.headers, body: [])
            } catch is VerificationFailure {
                continue
            } catch {
                unavailable = true
            }
        }
        if verified.isEmpty {
            return unavailable
                ? Reply.unavailable("cannot verify the API key right now; retry later", retryAfter: unavailableRetryAfter)
                : Reply.unauthorized
        }

        let rows: PostgresResult
        do {
            rows = try await pool.query(Self.querySQL, [id])
        } catch {
            logger.warning("cannot read delivery status", metadata: ["delivery.id": "\(id)", "error": "\(error)"])
            return Reply.unavailable("cannot read the delivery right now; retry later", retryAfter: unavailableRetryAfter)
        }
        guard let row = rows.first,
            let source = try? row.decode(String.self, at: 0),
            let sender = verified[source],
            let json = try? row.decode(String.self, at: 2)
        else { return Reply.error(.notFound, "no such delivery") }
        if case .site(let siteID, _) = sender {
            let owner = try? row.decode(String?.self, at: 1)
            guard owner == String(siteID) else { return Reply.error(.notFound, "no such delivery") }
        }
        return .json(.ok, json, headers: ["cache-control": "no-store"])
    }
}
