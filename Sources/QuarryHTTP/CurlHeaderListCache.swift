import CCurl

/// Request header lists (`curl_slist`) shared by transfers that send identical headers.
///
/// An LLM client sends the same handful of headers (content type, accept, authorization) on every
/// request; building the list each time costs a string per field plus two mallocs per node in
/// `curl_slist_append`. libcurl only reads a `CURLOPT_HTTPHEADER` list, so one list can serve any number
/// of running transfers, as long as it outlives them: entries count their users and are only replaced
/// when unused. Driver-thread only.
struct CurlHeaderListCache {
    private struct Entry {
        var names: [String]
        var values: [String]
        var sendsBody: Bool
        var list: UnsafeMutablePointer<curl_slist>
        var users: Int
    }

    private var entries: [Entry] = []
    /// Distinct header sets kept; beyond this, a miss replaces an unused entry, or (if every entry is in
    /// use) the transfer gets a list of its own.
    let capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(0, capacity)
        entries.reserveCapacity(self.capacity)
    }

    /// The list for `headers` (names compared exactly, so the wire bytes are the caller's), and the
    /// slot to `release` when the transfer ends; a nil slot means the caller owns the list and frees it.
    mutating func acquire(
        headers: HTTPHeaders, sendsBody: Bool, build: () -> UnsafeMutablePointer<curl_slist>?
    ) -> (list: UnsafeMutablePointer<curl_slist>?, slot: Int?) {
        for index in entries.indices
        where entries[index].sendsBody == sendsBody && entries[index].names == headers.names && entries[index].values == headers.values {
            entries[index].users += 1
            return (entries[index].list, index)
        }
        guard let list = build() else { return (nil, nil) }
        let entry = Entry(names: headers.names, values: headers.values, sendsBody: sendsBody, list: list, users: 1)
        if entries.count < capacity {
            entries.append(entry)
            return (list, entries.count - 1)
        }
        if let unused = entries.firstIndex(where: { $0.users == 0 }) {
            curl_slist_free_all(entries[unused].list)
            entries[unused] = entry
            return (list, unused)
        }
        return (list, nil)
    }

    mutating func release(slot: Int) {
        entries[slot].users -= 1
    }

    /// Frees every list. Only once no transfer is attached.
    mutating func removeAll() {
        for entry in entries { curl_slist_free_all(entry.list) }
        entries.removeAll()
    }
}
