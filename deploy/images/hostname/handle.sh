#!/bin/sh
# One HTTP/1.x exchange on stdin/stdout: skip the request line and headers, then answer
# 200 with the hostname. Connection: close, so every client (curl, fetch) knows the body
# ended without chunking; builtins only, to keep each request to one process.
CR=$(printf '\r')
while IFS= read -r line; do
  line=${line%"$CR"}
  [ -z "$line" ] && break
done
read -r host < /proc/sys/kernel/hostname
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' $((${#host} + 1)) "$host"
