#!/bin/sh
# busybox nc with -ll -e forks one handler per connection, so slow clients do not
# block others. PORT may move the listener (default 80).
trap 'exit 0' TERM INT
nc -ll -p "${PORT:-80}" -e /handle.sh &
wait $!
