extension HTTPClient {
    /// Per-client settings; each maps onto a libcurl multi or easy option.
    public struct Configuration: Sendable {
        /// `CURLMOPT_MAX_TOTAL_CONNECTIONS`: open connections across all hosts; 0 = unlimited.
        /// Transfers beyond the cap wait inside libcurl for a free connection (their timeout runs).
        public var maxTotalConnections: Int
        /// `CURLMOPT_MAX_HOST_CONNECTIONS`: open connections to one host; 0 = unlimited.
        public var maxConnectionsPerHost: Int
        /// `CURLMOPT_MAXCONNECTS`: idle connections kept for reuse; nil keeps libcurl's default
        /// (four times the number of transfers added).
        public var maxCachedConnections: Int?
        /// Negotiate HTTP/2 over TLS (ALPN) and multiplex transfers on one connection when the server
        /// offers it. Plain `http://` always uses HTTP/1.1.
        public var http2: Bool
        /// `CURLMOPT_MAX_CONCURRENT_STREAMS`: streams per HTTP/2 connection before a new one is opened.
        public var maxConcurrentStreams: Int
        /// Connect timeout for requests that do not set their own.
        public var connectTimeout: Duration
        /// Total timeout for requests that do not set their own; nil = none.
        public var timeout: Duration?
        /// TCP keep-alive probes on idle connections, so a half-dead pooled connection is noticed
        /// before a request is written to it; nil disables them.
        public var tcpKeepAlive: Duration?
        /// Redirect hops allowed when a request sets `followRedirects`.
        public var maxRedirects: Int
        /// Idle easy handles kept for reuse; each holds a few tens of kilobytes of buffers. Beyond this,
        /// handles are created per request and freed after it.
        public var maxIdleEasyHandles: Int
        /// `User-Agent` sent unless the request sets one; nil sends none.
        public var userAgent: String?
        /// Driver threads, each with its own libcurl multi handle and connection pool; requests are
        /// spread over them in turn. libcurl 7.x scans a host's whole connection list when it picks a
        /// connection for a request and again when it detaches one, so at thousands of HTTP/1.1
        /// connections to one endpoint each request pays for all of them; several smaller pools keep
        /// those scans short. `recommendedDrivers(forConcurrency:)` gives one per 250 connections.
        /// The connection limits above and `maxIdleEasyHandles` are split evenly between drivers.
        public var drivers: Int
        /// Longest the driver sleeps (in `epoll_wait`; `curl_multi_poll` off Linux) without a wake-up or
        /// socket event. Only a backstop: libcurl's own next timer shortens it, and new work wakes the
        /// driver at once.
        public var pollInterval: Duration

        public init(
            maxTotalConnections: Int = 0,
            maxConnectionsPerHost: Int = 0,
            maxCachedConnections: Int? = nil,
            http2: Bool = true,
            maxConcurrentStreams: Int = 100,
            connectTimeout: Duration = .seconds(10),
            timeout: Duration? = nil,
            tcpKeepAlive: Duration? = .seconds(30),
            maxRedirects: Int = 5,
            maxIdleEasyHandles: Int = 256,
            userAgent: String? = "Quarry",
            drivers: Int = 1,
            pollInterval: Duration = .seconds(1)
        ) {
            self.maxTotalConnections = maxTotalConnections
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxCachedConnections = maxCachedConnections
            self.http2 = http2
            self.maxConcurrentStreams = maxConcurrentStreams
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.tcpKeepAlive = tcpKeepAlive
            self.maxRedirects = maxRedirects
            self.maxIdleEasyHandles = maxIdleEasyHandles
            self.userAgent = userAgent
            self.drivers = max(1, drivers)
            self.pollInterval = pollInterval
        }

        /// One driver per 250 requests in flight (at least one, at most four). Measured with `quarry bench
        /// llm`: at 1,000 in flight four drivers used about 10 % less CPU per request than two; at 100, one
        /// and two were alike.
        public static func recommendedDrivers(forConcurrency concurrency: Int) -> Int {
            min(4, max(1, (concurrency + 249) / 250))
        }

        /// The share of this configuration one of `drivers` driver threads gets.
        func perDriver() -> Configuration {
            guard drivers > 1 else { return self }
            func share(_ total: Int) -> Int { total > 0 ? (total + drivers - 1) / drivers : total }
            var copy = self
            copy.maxTotalConnections = share(maxTotalConnections)
            copy.maxConnectionsPerHost = share(maxConnectionsPerHost)
            copy.maxCachedConnections = maxCachedConnections.map(share)
            copy.maxIdleEasyHandles = share(maxIdleEasyHandles)
            return copy
        }
    }
}
