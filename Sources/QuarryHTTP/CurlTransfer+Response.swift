import CCurl

extension CurlTransfer {
    /// Turns libcurl's verdict for this transfer into what `execute` returns. Reads `CURLINFO_*`
    /// from the easy handle, so it must run before the handle is reset. Driver thread only.
    func makeResult(_ code: CURLcode) -> Result<HTTPResponse, any Error> {
        guard let easy else {
            return .failure(HTTPClientError(code: .other, message: "transfer finished without an easy handle", url: request.url))
        }
        guard code == CURLE_OK else {
            return .failure(HTTPClientError(curlCode: code, detail: easy.errorMessage, url: request.url))
        }
        let handle = easy.raw
        func long(_ info: CURLINFO) -> Int {
            var value = 0
            return quarry_curl_easy_getinfo_long(handle, info, &value) == CURLE_OK ? value : 0
        }
        func duration(_ info: CURLINFO) -> Duration {
            var value: curl_off_t = 0
            return quarry_curl_easy_getinfo_off_t(handle, info, &value) == CURLE_OK ? .microseconds(Int64(value)) : .zero
        }
        let timings = HTTPTimings(
            nameLookup: duration(CURLINFO_NAMELOOKUP_TIME_T),
            connect: duration(CURLINFO_CONNECT_TIME_T),
            tlsHandshake: duration(CURLINFO_APPCONNECT_TIME_T),
            preTransfer: duration(CURLINFO_PRETRANSFER_TIME_T),
            firstByte: duration(CURLINFO_STARTTRANSFER_TIME_T),
            total: duration(CURLINFO_TOTAL_TIME_T),
            newConnections: long(CURLINFO_NUM_CONNECTS)
        )
        let response = HTTPResponse(
            status: long(CURLINFO_RESPONSE_CODE),
            headers: responseHeaders,
            body: responseBody,
            version: HTTPResponse.Version(curlValue: long(CURLINFO_HTTP_VERSION)),
            timings: timings
        )
        // Drop our references so the arrays are uniquely owned by the response (no copy on write later).
        responseHeaders = HTTPHeaders()
        responseBody = []
        return .success(response)
    }
}
