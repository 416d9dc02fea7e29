#!/usr/bin/env python3
"""Checks the Quarry simulator against the official `openai` Python client.

Usage:
    python3 scripts/openai_client_check.py --base-url http://127.0.0.1:PORT/v1 \
        --limited-url http://127.0.0.1:PORT2/v1

--base-url must be a simulator with no faults; --limited-url one started with faults.rateLimited = 1.0.
Exercises chat, JSON-schema output, completions with echo/logprobs, embeddings (float and the client's
default base64), and checks that a 429 surfaces as openai.RateLimitError. Prints
"openai client check: N passed, M failed" and exits non-zero on any failure.
"""

import argparse
import json
import math
import sys
import traceback

try:
    import openai
except ImportError:  # pragma: no cover - reported, not crashed on
    print("openai client check: the 'openai' package is not installed (pip install openai)", file=sys.stderr)
    sys.exit(2)

CONTEXT = (
    "The Rhine flows from the Swiss Alps through Germany and the Netherlands into the North Sea. "
    "Barges carry coal, grain and containers along the river."
)

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["answer", "confidence", "tags", "kind"],
    "properties": {
        "answer": {"type": "string"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "kind": {"type": "string", "enum": ["fact", "opinion"]},
    },
}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def test_chat(client):
    messages = [{"role": "user", "content": f"Summarise: {CONTEXT}"}]
    first = client.chat.completions.create(model="sim-small", messages=messages, temperature=0.5, n=2)
    second = client.chat.completions.create(model="sim-small", messages=messages, temperature=0.5, n=2)
    check(len(first.choices) == 2, f"expected 2 choices, got {len(first.choices)}")
    content = first.choices[0].message.content
    check(isinstance(content, str) and content, "empty chat content")
    check(content == second.choices[0].message.content, "chat output is not deterministic")
    check(first.choices[0].finish_reason == "stop", f"finish_reason {first.choices[0].finish_reason}")
    usage = first.usage
    check(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, f"inconsistent usage {usage}")
    check(first.id.startswith("chatcmpl-"), f"id {first.id}")


def test_chat_logprobs(client):
    result = client.chat.completions.create(
        model="sim-small",
        messages=[{"role": "user", "content": CONTEXT}],
        logprobs=True,
        top_logprobs=2,
        max_tokens=8,
    )
    choice = result.choices[0]
    check(choice.finish_reason == "length", f"finish_reason {choice.finish_reason}")
    tokens = choice.logprobs.content
    check("".join(t.token for t in tokens) == choice.message.content, "logprob tokens do not rebuild the content")
    check(all(len(t.top_logprobs) == 2 and -8 <= t.logprob <= -0.05 for t in tokens), "bad top_logprobs")


def test_json_schema(client):
    result = client.chat.completions.create(
        model="sim-large",
        messages=[{"role": "user", "content": f"Answer from <context>{CONTEXT}</context>"}],
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": SCHEMA}},
    )
    data = json.loads(result.choices[0].message.content)
    check(set(data) == set(SCHEMA["properties"]), f"keys {sorted(data)}")
    check(isinstance(data["answer"], str) and data["answer"], "answer not a non-empty string")
    check(isinstance(data["confidence"], (int, float)) and 0 <= data["confidence"] <= 1, f"confidence {data['confidence']}")
    check(isinstance(data["tags"], list) and data["tags"] and all(isinstance(t, str) for t in data["tags"]), "tags")
    check(data["kind"] in ("fact", "opinion"), f"kind {data['kind']}")


def test_completions_echo_logprobs(client):
    prompt = "The quick brown fox jumps over the lazy dog"
    result = client.completions.create(model="sim-small", prompt=prompt, max_tokens=0, echo=True, logprobs=3)
    choice = result.choices[0]
    check(choice.text == prompt, f"echo text {choice.text!r}")
    lp = choice.logprobs
    check("".join(lp.tokens) == prompt, "tokens do not rebuild the prompt")
    check(lp.token_logprobs[0] is None, "first token logprob should be null")
    check(all(-8 <= v <= -0.05 for v in lp.token_logprobs[1:]), "logprob out of range")
    check(len(lp.text_offset) == len(lp.tokens) and lp.text_offset[0] == 0, "text_offset")
    check(all(len(t) == 3 for t in lp.top_logprobs[1:]), "top_logprobs size")
    check(result.usage.completion_tokens == 0, f"completion tokens {result.usage.completion_tokens}")


def test_embeddings(client):
    texts = ["barges carry coal on the Rhine", "barges carry grain on the Rhine", "a recipe with eggs and flour"]
    # The client asks for base64 by default and decodes it; also ask for floats explicitly.
    default = client.embeddings.create(model="sim-small", input=texts)
    floats = client.embeddings.create(model="sim-small", input=texts, encoding_format="float")
    check(len(default.data) == 3, f"{len(default.data)} embeddings")
    for a, b in zip(default.data, floats.data):
        check(len(a.embedding) == 64, f"dimension {len(a.embedding)}")
        check(all(abs(x - y) < 1e-6 for x, y in zip(a.embedding, b.embedding)), "base64 and float differ")
        check(abs(math.sqrt(sum(x * x for x in a.embedding)) - 1) < 1e-4, "not unit length")
    v = [d.embedding for d in floats.data]
    dot = lambda p, q: sum(x * y for x, y in zip(p, q))
    check(dot(v[0], v[1]) > dot(v[0], v[2]), "similar texts are not closer")
    sized = client.embeddings.create(model="sim-small", input="hello world", dimensions=8, encoding_format="float")
    check(len(sized.data[0].embedding) == 8, "dimensions parameter ignored")


def test_models_and_errors(client):
    ids = [m.id for m in client.models.list()]
    check("sim-small" in ids, f"models {ids}")
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    except openai.NotFoundError as error:
        check(error.status_code == 404, f"status {error.status_code}")
    else:
        raise AssertionError("unknown model did not raise NotFoundError")


def test_rate_limit(limited):
    try:
        limited.chat.completions.create(model="sim-small", messages=[{"role": "user", "content": "hi"}])
    except openai.RateLimitError as error:
        check(error.status_code == 429, f"status {error.status_code}")
        check(error.response.headers.get("retry-after") is not None, "429 without Retry-After")
    else:
        raise AssertionError("a 429 did not raise openai.RateLimitError")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="simulator without faults, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--limited-url", required=True, help="simulator with faults.rateLimited = 1.0")
    parser.add_argument("--api-key", default="sk-simulator", help="bearer token to send")
    args = parser.parse_args()

    # No retries: the check wants to see each response as sent, and the 429 must surface at once.
    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0, timeout=30)
    limited = openai.OpenAI(base_url=args.limited_url, api_key=args.api_key, max_retries=0, timeout=30)

    checks = [
        ("chat", lambda: test_chat(client)),
        ("chat logprobs", lambda: test_chat_logprobs(client)),
        ("json_schema output", lambda: test_json_schema(client)),
        ("completions echo+logprobs", lambda: test_completions_echo_logprobs(client)),
        ("embeddings", lambda: test_embeddings(client)),
        ("models and 404", lambda: test_models_and_errors(client)),
        ("429 raises RateLimitError", lambda: test_rate_limit(limited)),
    ]
    passed = failed = 0
    for name, run in checks:
        try:
            run()
            passed += 1
            print(f"ok   {name}")
        except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL {name}: {error}")
            traceback.print_exc(file=sys.stdout)
    print(f"openai client check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
