/// How the simulator answers a request whose API key is missing or wrong (with `requiredAPIKey` set).
/// Real servers differ: OpenAI answers 401, but gateways and self-hosted servers often answer 400, 403
/// or even 500 with a body of their own, which a client cannot tell from a per-request error by status.
public enum AuthFailureStyle: String, Sendable, Codable, CaseIterable {
    /// 401 `invalid_api_key`, as OpenAI answers.
    case openai
    /// 400 `{"error": {"type": "no_db_connection", "message": "No connected db."}}`, as a LiteLLM proxy
    /// without its key database answers every key.
    case gateway400 = "gateway_400"
    /// 403 with a gateway's "Forbidden" body.
    case gateway403 = "gateway_403"
    /// 500 with a gateway's internal-error body.
    case gateway500 = "gateway_500"
}
