import Foundation

/// One HTTP exchange as a test sees it.
struct HTTPResult: Sendable {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body as a JSON object, or nil when it is not one.
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }

    var text: String {
        String(decoding: body, as: UTF8.self)
    }
}
