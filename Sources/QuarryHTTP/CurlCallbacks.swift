import CCurl

/// The C-convention callbacks handed to libcurl. They capture nothing; the transfer arrives as the
/// `userdata` pointer (`CURLOPT_WRITEDATA` / `CURLOPT_HEADERDATA`), an unretained reference to a
/// `CurlTransfer` that the driver's `active` array keeps alive for as long as the handle is attached.
enum CurlCallbacks {
    static let write: quarry_curl_write_cb = { data, size, count, userdata in
        let length = size * count
        guard length > 0, let data, let userdata else { return length }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        transfer.appendBody(UnsafeRawBufferPointer(start: data, count: length))
        return length
    }

    static let header: quarry_curl_write_cb = { data, size, count, userdata in
        let length = size * count
        guard length > 0, let data, let userdata else { return length }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
        return length
    }
}
