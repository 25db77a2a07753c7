#!/usr/bin/env bash
# Runs a command against a real Mosquitto broker on 127.0.0.1, for the MQTT tests:
#   bash scripts/with-mosquitto.sh npx jest test/io/mqtt
# Installs Debian's mosquitto if it is missing, starts it on port 18830 (or a free port) with
# anonymous access on loopback only, exports MQTT_TEST_URL, runs the command, stops the broker and
# exits with the command's status.
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi

MOSQUITTO=/usr/sbin/mosquitto

if [ ! -x "$MOSQUITTO" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "mosquitto is not installed and this is not root (and there is no sudo): install the mosquitto package" >&2
    exit 1
  fi
  echo "== installing mosquitto" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto >&2 || {
      echo "could not install mosquitto" >&2
      exit 1
    }
fi

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

PORT=18830
if port_open "$PORT"; then
  PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
fi

DIR=$(mktemp -d)
chmod 755 "$DIR"
cat >"$DIR/mosquitto.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
EOF
chmod 644 "$DIR/mosquitto.conf"

"$MOSQUITTO" -c "$DIR/mosquitto.conf" >"$DIR/mosquitto.log" 2>&1 &
MOSQUITTO_PID=$!

cleanup() {
  if kill -0 "$MOSQUITTO_PID" 2>/dev/null; then
    kill "$MOSQUITTO_PID" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$MOSQUITTO_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$MOSQUITTO_PID" 2>/dev/null
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 100); do
  if port_open "$PORT"; then
    break
  fi
  if ! kill -0 "$MOSQUITTO_PID" 2>/dev/null; then
    echo "mosquitto did not start:" >&2
    cat "$DIR/mosquitto.log" >&2
    exit 1
  fi
  sleep 0.1
done
if ! port_open "$PORT"; then
  echo "mosquitto is not listening on 127.0.0.1:$PORT after 10 s:" >&2
  cat "$DIR/mosquitto.log" >&2
  exit 1
fi

echo "== $("$MOSQUITTO" -h 2>/dev/null | head -n 1) on mqtt://127.0.0.1:$PORT" >&2
export MQTT_TEST_URL="mqtt://127.0.0.1:$PORT"
"$@"
status=$?
exit "$status"
