# tests/net: network-namespace topology for the path-MTU probe tests and
# benchmark (sourced, not run). Everything is named with a unique prefix and
# lives only inside the namespaces it creates; probe_topo_down removes it.
#
#   A --(a0/ra, MTU 9000)-- R --(rb/b0, MTU 1500)-- B      (R forwards)
#   A --(d0/dd, MTU 9000)-- D                              (direct, jumbo)
#
# Addresses: documentation ranges only (RFC 5737, RFC 3849).
#   A-R 192.0.2.0/24     2001:db8:1::/64   A .1 / ::1, R .254 / ::fe
#   R-B 198.51.100.0/24  2001:db8:2::/64   R .254 / ::fe, B .2 / ::2
#   A-D 203.0.113.0/24   2001:db8:3::/64   A .1 / ::1, D .2 / ::2

PROBE_P=${PROBE_P:-ktp$$}	# short: veth names must fit in 15 bytes
NS_A=kt-probe-$PROBE_P-a
NS_R=kt-probe-$PROBE_P-r
NS_B=kt-probe-$PROBE_P-b
NS_D=kt-probe-$PROBE_P-d
B4=198.51.100.2
B6=2001:db8:2::2
D4=203.0.113.2
D6=2001:db8:3::2
R_A4=192.0.2.254
R_A6=2001:db8:1::fe

probe_have_tools() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
	command -v ip >/dev/null || { echo "no ip(8)"; return 1; }
	command -v nft >/dev/null || { echo "no nft(8)"; return 1; }
	ip netns add "kt-probe-$PROBE_P-chk" 2>/dev/null || { echo "no ip netns"; return 1; }
	ip netns del "kt-probe-$PROBE_P-chk"
	return 0
}

probe_topo_down() {
	local ns
	for ns in "$NS_A" "$NS_R" "$NS_B" "$NS_D"; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# veth pair between two namespaces: NS1 IF1 NS2 IF2 MTU
_probe_link() {
	ip link add "$2" netns "$1" mtu "$5" type veth peer name "$4" netns "$3" mtu "$5" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

probe_topo_up() {
	local ns
	for ns in "$NS_A" "$NS_R" "$NS_B" "$NS_D"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	_probe_link "$NS_A" a0 "$NS_R" ra 9000 &&
	_probe_link "$NS_R" rb "$NS_B" b0 1500 &&
	_probe_link "$NS_A" d0 "$NS_D" dd 9000 || return 1
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		return 1
	# nodad: no IPv6 duplicate address detection, addresses usable at once.
	ip -n "$NS_A" addr add 192.0.2.1/24 dev a0 &&
	ip -n "$NS_A" addr add 2001:db8:1::1/64 dev a0 nodad &&
	ip -n "$NS_A" addr add 203.0.113.1/24 dev d0 &&
	ip -n "$NS_A" addr add 2001:db8:3::1/64 dev d0 nodad &&
	ip -n "$NS_R" addr add $R_A4/24 dev ra &&
	ip -n "$NS_R" addr add $R_A6/64 dev ra nodad &&
	ip -n "$NS_R" addr add 198.51.100.254/24 dev rb &&
	ip -n "$NS_R" addr add 2001:db8:2::fe/64 dev rb nodad &&
	ip -n "$NS_B" addr add $B4/24 dev b0 &&
	ip -n "$NS_B" addr add $B6/64 dev b0 nodad &&
	ip -n "$NS_D" addr add $D4/24 dev dd &&
	ip -n "$NS_D" addr add $D6/64 dev dd nodad || return 1
	ip -n "$NS_A" route add 198.51.100.0/24 via $R_A4 &&
	ip -n "$NS_A" -6 route add 2001:db8:2::/64 via $R_A6 &&
	ip -n "$NS_B" route add default via 198.51.100.254 &&
	ip -n "$NS_B" -6 route add default via 2001:db8:2::fe || return 1
	# Wait for the v6 link-local addresses used as router sources to settle.
	local i
	for i in $(seq 50); do
		ip netns exec "$NS_A" ping -6 -c1 -W1 $B6 >/dev/null 2>&1 &&
		ip netns exec "$NS_A" ping -6 -c1 -W1 $D6 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "topology: IPv6 never came up" >&2
	return 1
}

# R stops sending "fragmentation needed" / "packet too big": a black hole.
probe_blackhole_on() {
	ip netns exec "$NS_R" nft -f - <<-'EOF'
	table inet ktprobe_bh {
		chain out {
			type filter hook output priority 0; policy accept;
			icmp type destination-unreachable icmp code frag-needed drop
			icmpv6 type packet-too-big drop
		}
	}
	EOF
}

probe_blackhole_off() {
	ip netns exec "$NS_R" nft delete table inet ktprobe_bh 2>/dev/null
	return 0
}

# Random loss of PCT percent of what A sends, silently, on the far side of
# each link (R forwarding from A, D receiving from A). netem is not in every
# kernel; nftables' numgen random does the same for our purpose.
probe_loss_on() {
	local pct=$1 ns hook
	for ns in "$NS_R" "$NS_D"; do
		hook=forward
		[ "$ns" = "$NS_D" ] && hook=input
		ip netns exec "$ns" nft -f - <<-EOF || return 1
		table inet ktprobe_loss {
			chain c {
				type filter hook $hook priority 0; policy accept;
				iifname { "ra", "dd" } numgen random mod 100 < $pct drop
			}
		}
		EOF
	done
}

probe_loss_off() {
	ip netns exec "$NS_R" nft delete table inet ktprobe_loss 2>/dev/null
	ip netns exec "$NS_D" nft delete table inet ktprobe_loss 2>/dev/null
	return 0
}

# MTU of the R-B link (both ends): 1500 normally.
probe_rb_mtu() {
	ip -n "$NS_R" link set rb mtu "$1" && ip -n "$NS_B" link set b0 mtu "$1"
}

# Forget path MTUs A learned (so ping -M do measures instead of refusing).
probe_flush_pmtu() {
	ip -n "$NS_A" route flush cache 2>/dev/null
	ip -n "$NS_A" -6 route flush cache 2>/dev/null
	return 0
}
