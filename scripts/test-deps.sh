#!/usr/bin/env bash
# The Debian packages the tests need, installed when they are missing:
#  - chromium: the viewer's browser test drives Debian's Chromium (playwright-core cannot download a browser here);
#  - bind9: the real-DNS tests start private BIND 9 servers (named) on 127.0.0.1;
#  - python3-dnspython: the example Python driver (examples/drivers/python/) runs under Debian's /usr/bin/python3.
# As root it installs them with apt-get; otherwise it stops with the one command that does.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || missing+=(bind9)
/usr/bin/python3 -c 'import dns.update, dns.tsig' >/dev/null 2>&1 || missing+=(python3-dnspython)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "the tests need ${missing[*]}: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} for the tests (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
