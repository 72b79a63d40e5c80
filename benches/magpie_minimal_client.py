"""The minimal client `seapile bench magpie` compares its OpenAI engine with: the same request
bodies (one JSON per line), POSTed at the same concurrency with the standard library only.
Usage: magpie_minimal_client.py URL CONCURRENCY BODIES.jsonl -> one JSON line."""
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

url, concurrency, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bodies = [line.encode() for line in open(path, encoding="utf-8") if line.strip()]

def post(body):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["usage"]["completion_tokens"]

start = time.perf_counter()
with ThreadPoolExecutor(concurrency) as pool:
    tokens = sum(pool.map(post, bodies))
wall = time.perf_counter() - start
print(json.dumps({"requests": len(bodies), "tokens": tokens, "wall_s": wall,
                  "tok_per_s": tokens / wall, "req_per_s": len(bodies) / wall}))
