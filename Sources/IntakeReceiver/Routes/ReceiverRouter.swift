import IntakeCore
import IntakeHTTP
import NIOHTTP1

/// Maps requests to the receiver's public routes: `POST /webhooks/{source}` and
/// `GET /deliveries/{id}`. Probes and metrics are on the admin listener (``Receiver``), not here.
struct ReceiverRouter: Sendable {
    let sources: [String: SourceRoute]
    let webhooks: WebhookRoute
    let deliveries: DeliveryStatusRoute
    let metrics: ReceiverMetrics

    /// Small requests with no business carrying a body (GET, probes).
    static let otherBodyLimit = 4096

    enum Target {
        case webhook(SourceRoute)
        case unknownSource
        case delivery(id: Substring)
        case other
    }

    func target(of path: Substring) -> Target {
        if path.hasPrefix("/webhooks/") {
            let name = path.dropFirst("/webhooks/".count)
            guard !name.isEmpty, !name.contains("/"), let route = sources[String(name)] else { return .unknownSource }
            return .webhook(route)
        }
        if path.hasPrefix("/deliveries/") {
            return .delivery(id: path.dropFirst("/deliveries/".count))
        }
        return .other
    }

    /// Runs on the event loop with only the head: everything decidable without the body is
    /// answered here, so an unknown source, an oversized or wrongly typed body is never read.
    func inspect(_ head: HTTPRequestHead) -> HTTPHeadDecision {
        switch target(of: head.path) {
        case .webhook(let route):
            guard head.method == .POST else {
                return .respond(count(route.settings.name, Reply.error(.methodNotAllowed, "use POST", headers: ["allow": "POST"])))
            }
            if route.settings.contentType == .json, !ContentType.isJSON(head.headers.first(name: "content-type")) {
                return .respond(
                    count(
                        route.settings.name,
                        Reply.error(
                            .unsupportedMediaType,
                            "this source takes JSON: send Content-Type application/json or another +json type")))
            }
            return .accept(maxBodyBytes: route.settings.maxBodyBytes)
        case .unknownSource:
            return .respond(count("-", Reply.error(.notFound, "unknown webhook source")))
        case .delivery, .other:
            return .accept(maxBodyBytes: Self.otherBodyLimit)
        }
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch target(of: request.path) {
        case .webhook(let route):
            return count(route.settings.name, await webhooks.handle(request, route: route))
        case .unknownSource:
            return count("-", Reply.error(.notFound, "unknown webhook source"))
        case .delivery(let id):
            return await deliveries.handle(request, id: id)
        case .other:
            return Reply.error(.notFound, "not found: the receiver serves POST /webhooks/{source} and GET /deliveries/{id}")
        }
    }

    private func count(_ source: String, _ response: HTTPResponse) -> HTTPResponse {
        metrics.request(source: source, status: Int(response.status.code))
        return response
    }
}
