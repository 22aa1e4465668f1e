#!/usr/bin/env python3
"""Turn a metrics CSV into "TOKEN<TAB>JSON" lines of 100-row batches, one client per
batch, for the HTTP benchmark. Usage: bodies.py CSV TOKEN_FORMAT MAX_BATCHES,
where TOKEN_FORMAT holds {client}, e.g. "token-{client}"."""
import csv, json, sys

path, token_format, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
batches, cur, cur_client = 0, [], None
with open(path, newline="") as f:
    for row in csv.DictReader(f):
        if cur and (row["client"] != cur_client or len(cur) == 100):
            print(token_format.format(client=cur_client) + "\t" + json.dumps(cur, separators=(",", ":")))
            batches += 1
            cur = []
            if batches >= limit:
                break
        cur_client = row["client"]
        cur.append({k: row[k] for k in row})
