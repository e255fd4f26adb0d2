"""Creates a container in Azurite (the tests' Azure Blob emulator), signed with the emulator's
well-known account key (Shared Key), using nothing but Python's standard library.

Usage: azurite_container.py PORT CONTAINER   (exit 0 when created or already there)
"""
import base64, hashlib, hmac, sys, urllib.request, email.utils
port, container = sys.argv[1], sys.argv[2]
account = "devstoreaccount1"
key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
date = email.utils.formatdate(usegmt=True)
headers = {"x-ms-date": date, "x-ms-version": "2021-08-06"}
canon_headers = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
resource = f"/{account}/{account}/{container}\nrestype:container"
to_sign = "PUT\n" + "\n" * 11 + canon_headers + resource
sig = base64.b64encode(hmac.new(base64.b64decode(key), to_sign.encode(), hashlib.sha256).digest()).decode()
req = urllib.request.Request(f"http://127.0.0.1:{port}/{account}/{container}?restype=container", method="PUT", data=None,
    headers={**headers, "Authorization": f"SharedKey {account}:{sig}", "Content-Length": "0"})
try:
    urllib.request.urlopen(req)
except urllib.error.HTTPError as e:
    if e.code != 409:  # 409: the container exists already
        print(e.code, e.read()[:300].decode(errors="replace"), file=sys.stderr)
        sys.exit(1)
