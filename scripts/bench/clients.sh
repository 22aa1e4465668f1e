# Sourced by the benchmarks: bench_clients CONFDIR N writes N clients
# (client-0000...) into CONFDIR/clients.d, each with the token
# "bench-token-<id>-0123456789" in CONFDIR/tokens, EUR, UTC, a minimum ROI of
# -100 % (judged, never firing) and a file receiver.
bench_clients() {
	local dir=$1 n=$2 i c
	mkdir -p "$dir/clients.d" "$dir/tokens"
	for i in $(seq 0 $((n - 1))); do
		c=$(printf 'client-%04d' "$i")
		echo "bench-token-$c-0123456789" > "$dir/tokens/$c.token"
		cat > "$dir/clients.d/$c.conf" <<CONF
{ "id": "$c", "name": "Client $i", "currency": "EUR", "timezone": "UTC",
  "minimum_roi": "-100%", "token_file": "tokens/$c.token",
  "receivers": [ { "name": "mailbox", "type": "file", "dir": "mail/$c" } ] }
CONF
	done
}
