#!/usr/bin/env bash
# Makes sure what the test suite talks to is there: independent hash/TOTP implementations
# (Debian's apache2-utils, argon2, oathtool), Chromium for browser tests, and the PostgreSQL and Redis servers on
# 127.0.0.1. Installs or starts what is missing when it can (root with apt), otherwise fails
# with what to do. Never stops anything.
set -euo pipefail

fail() { echo "test-env: $*" >&2; exit 1; }
can_root() { [[ $(id -u) == 0 ]]; }

missing=()
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v argon2 >/dev/null || missing+=(argon2)
command -v oathtool >/dev/null || missing+=(oathtool)
# Real-browser tests drive Debian's Chromium (playwright's own browser download is not possible).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  if can_root && command -v apt-get >/dev/null; then
    echo "test-env: installing ${missing[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    fail "missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})"
  fi
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if can_root && [[ -d /etc/postgresql ]]; then
    echo "test-env: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 -q || fail "PostgreSQL is not answering on 127.0.0.1:5432"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if can_root && command -v redis-server >/dev/null; then
    echo "test-env: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || fail "Redis is not answering on 127.0.0.1:6379"
fi
