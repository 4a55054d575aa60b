#!/usr/bin/env python3
"""Writes the corpus mails too large or too repetitive to check in (deterministically: the
same bytes on every run, so their expected results can name sizes and hashes):
  42-html-2000-links.eml  an HTML newsletter with 2,000 links
  44-large-10mb.eml       a 10 MiB attachment (base64, CRLF)
  45-too-many-parts.eml   600 parts, over the default limit of 500
  46-too-deep.eml         multiparts nested 30 deep, over the default limit of 20
Usage: make_large.py OUTPUT_DIR"""
import base64
import hashlib
import os
import sys


def write(directory, name, text):
    with open(os.path.join(directory, name), "wb") as out:
        out.write(text.replace("\n", "\r\n").encode("ascii"))


def large_attachment():
    # 10 MiB of bytes from a counter hashed with SHA-256: incompressible like a real photo.
    chunks, counter, size = [], 0, 10 * 1024 * 1024
    while sum(len(c) for c in chunks) < size:
        chunks.append(hashlib.sha256(counter.to_bytes(8, "big")).digest() * 64)
        counter += 1
    return b"".join(chunks)[:size]


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)

    links = "\n".join(
        f'<li><a href="https://shop.example.com/p/{i}?utm_source=news">Link {i}</a></li>'
        for i in range(2000))
    write(directory, "42-html-2000-links.eml", f"""From: Shop News <news@shop.example.com>
To: support@ourdesk.example
Subject: Spring catalogue
Date: Sun, 16 Mar 2025 06:00:00 +0000
Message-ID: <links-42@shop.example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><h1>Spring catalogue</h1><ul>
{links}
</ul></body></html>
""")

    data = large_attachment()
    encoded = base64.b64encode(data).decode("ascii")
    lines = "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    write(directory, "44-large-10mb.eml", f"""From: Photographer <photo@example.com>
To: support@ourdesk.example
Subject: Full resolution scan
Date: Sun, 16 Mar 2025 07:00:00 +0000
Message-ID: <large-44@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="large44"

--large44
Content-Type: text/plain; charset=utf-8

The scan is attached (10 MB).
--large44
Content-Type: application/octet-stream; name="scan.raw"
Content-Disposition: attachment; filename="scan.raw"
Content-Transfer-Encoding: base64

{lines}
--large44--
""")

    parts = "".join(f"""--many45
Content-Type: text/csv; name="row{i}.csv"
Content-Disposition: attachment; filename="row{i}.csv"

id,value
{i},{i * i}
""" for i in range(600))
    write(directory, "45-too-many-parts.eml", f"""From: Export Bot <export@example.com>
To: support@ourdesk.example
Subject: Export in 600 files
Date: Sun, 16 Mar 2025 08:00:00 +0000
Message-ID: <many-45@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="many45"

--many45
Content-Type: text/plain; charset=utf-8

600 files follow.
{parts}--many45--
""")

    depth = 30
    opening = "".join(f"""--deep{i}
Content-Type: multipart/mixed; boundary="deep{i + 1}"

""" for i in range(depth))
    closing = "".join(f"--deep{i}--\n" for i in reversed(range(depth + 1)))
    write(directory, "46-too-deep.eml", f"""From: Nester <nest@example.com>
To: support@ourdesk.example
Subject: Matryoshka
Date: Sun, 16 Mar 2025 09:00:00 +0000
Message-ID: <deep-46@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="deep0"

--deep0
Content-Type: text/plain; charset=utf-8

Outer text.
{opening}--deep{depth}
Content-Type: text/plain; charset=utf-8

Innermost text.
{closing}""")


if __name__ == "__main__":
    main()
