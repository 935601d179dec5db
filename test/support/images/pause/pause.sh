# PID 1 of a pod sandbox. `sleep & wait` rather than `sleep`: the shell runs a trap only between commands,
# and `wait` is interrupted by the signal, so SIGTERM ends the sandbox at once.
trap 'exit 0' TERM INT
while :; do
  /bin/busybox sleep 3600 &
  wait $!
done
