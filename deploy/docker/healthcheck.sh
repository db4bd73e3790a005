#!/bin/bash
# The image's HEALTHCHECK: GET /healthz on the node's HTTP port, with bash alone (no curl in the runtime image).
# The node binds its HTTP port on LSTMSWEEP_HOST (a name binds every interface), so ask there.
set -eu
host=${LSTMSWEEP_HOST:-127.0.0.1}
[ "$host" = auto ] && host=$(hostname -i | cut -d' ' -f1)
exec 3<>"/dev/tcp/$host/${LSTMSWEEP_HTTP_PORT:-5080}"
printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
head -n 1 <&3 | grep -q ' 200 '
