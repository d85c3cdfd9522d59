"""A nameserver for tests: answers every query on ADDRESS:53 (UDP) the way MODE says.

usage: dns-server.py ADDRESS MODE SECONDS
MODE: ok (NOERROR, an A record 192.0.2.10 for A queries, a PTR host.test. for PTR ones), slow:MS (the same after MS ms),
servfail, refused, nxdomain, drop (never answers). Exits after SECONDS; prints "ready" once bound.
"""
import socket
import sys
import time

address, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
family = socket.AF_INET6 if ":" in address else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.bind((address, 53))
s.settimeout(0.2)
print("ready", flush=True)
end = time.time() + seconds
RCODES = {"servfail": 2, "refused": 5, "nxdomain": 3}


def answer(query: bytes) -> bytes:
    qid, flags = query[:2], query[2:4]
    # The question: labels up to the zero byte, then type and class.
    end_of_name = query.index(b"\x00", 12) + 1
    question = query[12 : end_of_name + 4]
    qtype = int.from_bytes(query[end_of_name : end_of_name + 2], "big")
    rcode = RCODES.get(mode, 0)
    rd = flags[0] & 0x01
    header = qid + bytes([0x80 | rd, 0x80 | rcode])
    if rcode == 0 and qtype == 12:
        name = b"\x04host\x04test\x00"
        record = b"\xc0\x0c" + (12).to_bytes(2, "big") + (1).to_bytes(2, "big") + (30).to_bytes(4, "big") + len(name).to_bytes(2, "big") + name
        return header + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + b"\x00\x00\x00\x00" + question + record
    if rcode == 0 and qtype == 1:
        record = b"\xc0\x0c" + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + (30).to_bytes(4, "big") + (4).to_bytes(2, "big") + bytes([192, 0, 2, 10])
        return header + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + b"\x00\x00\x00\x00" + question + record
    return header + (1).to_bytes(2, "big") + b"\x00\x00\x00\x00\x00\x00" + question


while time.time() < end:
    try:
        query, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    if mode == "drop" or len(query) < 17:
        continue
    if mode.startswith("slow:"):
        time.sleep(int(mode.split(":")[1]) / 1000)
    try:
        s.sendto(answer(query), peer)
    except (ValueError, OSError):
        pass
