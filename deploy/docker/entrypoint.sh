#!/bin/sh
# The image's entrypoint: `lstmsweep` with the container's arguments (`docker run IMAGE node`, `... run SPEC`).
# LSTMSWEEP_HOST=auto (the image's default) becomes this container's own IP address, the one other nodes reach it
# at: a worker scaled by `docker compose up --scale worker=N` has no name of its own to advertise.
set -eu
if [ "${LSTMSWEEP_HOST:-}" = auto ]; then
  LSTMSWEEP_HOST=$(hostname -i | cut -d' ' -f1)
  export LSTMSWEEP_HOST
fi
exec dotnet /app/lstmsweep.dll "$@"
