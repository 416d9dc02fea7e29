/// Where the time of one exchange went, as libcurl measured it. Every point is measured from the
/// start of the transfer (so `connect >= nameLookup`), matching libcurl's `CURLINFO_*_TIME_T`.
public struct HTTPTimings: Sendable, Hashable {
    /// Until name resolution finished.
    public var nameLookup: Duration
    /// Until the TCP connection was up.
    public var connect: Duration
    /// Until the TLS handshake finished (zero for plain HTTP).
    public var tlsHandshake: Duration
    /// Until the request was about to be sent.
    public var preTransfer: Duration
    /// Until the first response byte arrived (time to first byte).
    public var firstByte: Duration
    /// The whole exchange, including redirects.
    public var total: Duration
    /// Connections libcurl opened for this exchange; 0 means an existing keep-alive or HTTP/2
    /// connection was reused.
    public var newConnections: Int

    public init(
        nameLookup: Duration = .zero,
        connect: Duration = .zero,
        tlsHandshake: Duration = .zero,
        preTransfer: Duration = .zero,
        firstByte: Duration = .zero,
        total: Duration = .zero,
        newConnections: Int = 0
    ) {
        self.nameLookup = nameLookup
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.preTransfer = preTransfer
        self.firstByte = firstByte
        self.total = total
        self.newConnections = newConnections
    }

    /// True when the exchange ran over a connection that already existed.
    public var reusedConnection: Bool {
        newConnections == 0
    }
}
