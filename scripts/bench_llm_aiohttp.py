#!/usr/bin/env python3
"""The aiohttp baseline of `quarry bench llm`: N chat requests at concurrency C against an OpenAI-compatible
base URL, each response read and parsed as JSON (as Quarry's client decodes it). Prints one JSON line with its
own CPU seconds (resource.getrusage) and peak RSS, so the caller compares clients, not simulators."""
import argparse
import asyncio
import json
import resource
import time

import aiohttp


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    args = parser.parse_args()

    body = json.dumps({
        "model": "sim-small",
        "messages": [{"role": "user", "content": "Summarise why quarries keep their benches level."}],
        "temperature": 0,
        "max_tokens": 64,
    }).encode()
    url = args.base_url.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    counts = {"ok": 0, "errors": 0}

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        async def lane(budget: list) -> None:
            while budget[0] > 0:
                budget[0] -= 1
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        payload = json.loads(await response.read())
                        if response.status == 200 and payload.get("choices"):
                            counts["ok"] += 1
                        else:
                            counts["errors"] += 1
                except Exception:
                    counts["errors"] += 1

        # Warm the connection pool, as the Quarry side does, then measure.
        await asyncio.gather(*(lane([1]) for _ in range(args.concurrency)))
        counts["ok"] = counts["errors"] = 0
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        budget = [args.requests]
        await asyncio.gather(*(lane(budget) for _ in range(min(args.concurrency, args.requests))))
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_SELF)

    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({
        "client": "aiohttp " + aiohttp.__version__,
        "concurrency": args.concurrency,
        "requests": counts["ok"] + counts["errors"],
        "ok": counts["ok"],
        "errors": counts["errors"],
        "seconds": seconds,
        "requests_per_second": (counts["ok"] + counts["errors"]) / seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": after.ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    asyncio.run(main())
