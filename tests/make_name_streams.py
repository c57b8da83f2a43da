"""Write tests/data/name_streams.json: the pinned name-keyed stream derivation.

Run from the repository root:  python tests/make_name_streams.py

Independent of wcinit and of its C core (hashlib and a pure-Python
Philox4x32-10 only), so the file pins the derivation itself, not whatever the
library happens to compute:

    stream(name) = int.from_bytes(SHA-256(b"wcinit/name-stream/v1\\0"
                       + parent_stream.to_bytes(8, "little")
                       + name.encode("utf-8"))[:8], "little")

and the parameter is filled from Philox4x32-10 with key = seed (low word
first), counter = (block offset low, high, stream low, high), offset 0.  For
each entry the file also records the first 64 raw 32-bit words of that fill in
element order (element e = word e div 16 of block e mod 16; DESIGN.md's tile
layout), which tests/test_models.py compares with the C core's words.
"""
import hashlib
import json
import os

DOMAIN = b"wcinit/name-stream/v1\x00"
M0, M1, W0, W1, MASK = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85, 0xFFFFFFFF


def name_stream(name, parent_stream=0):
    d = hashlib.sha256(DOMAIN + (parent_stream % 2**64).to_bytes(8, "little")
                       + name.encode("utf-8")).digest()
    return int.from_bytes(d[:8], "little")


def philox4x32_10(ctr, key):
    """Salmon et al. (SC'11): 10 rounds, key bumped by the Weyl constants between rounds."""
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
        p0, p1 = M0 * c0, M1 * c2
        c0, c1, c2, c3 = (((p1 >> 32) ^ c1 ^ k0) & MASK, p1 & MASK,
                          ((p0 >> 32) ^ c3 ^ k1) & MASK, p0 & MASK)
    return c0, c1, c2, c3


def raw_words(seed, stream, n=64):
    key = (seed & MASK, seed >> 32)
    return [philox4x32_10((e % 16, 0, stream & MASK, stream >> 32), key)[e // 16]
            for e in range(n)]


CASES = [  # (seed, parent stream, name)
    (0, 0, "weight"),
    (0, 0, "fc1.weight"),
    (0, 0, "fc1.bias"),
    (0, 0, "fc2.weight"),
    (1, 0, "fc1.weight"),
    (20240407, 0, "h.0.attn.c_attn.weight"),
    (20240407, 0, "h.47.mlp.c_proj.weight"),
    (20240407, 7, "h.47.mlp.c_proj.weight"),
    (2**64 - 1, 2**64 - 1, "layers.3.0.weight"),
    (67280421310721, 0, ""),
    (67280421310721, 0, "enc.blöck.0.wéight"),
    (5, 12345678901234567890, "lstm.weight_hh_l0_reverse"),
]


def main():
    entries = []
    for seed, parent, name in CASES:
        sid = name_stream(name, parent)
        entries.append({"seed": str(seed), "parent_stream": str(parent), "name": name,
                        "stream": str(sid), "raw_words": " ".join(f"{w:08x}" for w in raw_words(seed, sid))})
    doc = {"about": "wcinit name-keyed streams, pinned; written by tests/make_name_streams.py "
                    "(do not edit by hand)",
           "derivation": "stream = int.from_bytes(sha256(domain + parent_stream.to_bytes(8, "
                         "'little') + name.encode('utf-8')).digest()[:8], 'little'); key = seed; "
                         "offset 0; raw_words[e] (hex, space-separated) = Philox4x32-10 word e//16 of block e%16",
           "domain": DOMAIN.decode("ascii").replace("\x00", "\\0"),
           "entries": entries}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "name_streams.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}: {len(entries)} entries")


if __name__ == "__main__":
    main()
