import Foundation

extension EndpointRegistry {
    /// The endpoints file used when none is named, looked for in the working directory.
    public static let defaultFileName = "quarry.endpoints.yaml"

    /// Where the endpoints file is: `explicit` (`--endpoints`), else `QUARRY_ENDPOINTS`, else
    /// `quarry.endpoints.yaml` in the working directory when it exists; nil when none is configured.
    public static func configuredPath(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let path = explicit ?? environment["QUARRY_ENDPOINTS"], !path.isEmpty { return path }
        return FileManager.default.fileExists(atPath: defaultFileName) ? defaultFileName : nil
    }

    /// The configured endpoints (see `configuredPath`), or nil when none is configured. A file that is
    /// named but cannot be read or parsed is an error.
    public static func loadConfigured(explicit: String?) throws -> EndpointRegistry? {
        try configuredPath(explicit: explicit).map { try load(path: $0) }
    }
}
