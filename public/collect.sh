#!/bin/sh
# podnet collect.sh - print this node's network evidence as a terminal transcript.
#
# Needs only a POSIX sh and iproute2 (`bridge` and `nsenter` are used when present).
# Run it as root on a Kubernetes node and upload what it prints:
#
#   curl -fsS https://PODNET/collect.sh | sh > node1.txt       # then drop node1.txt on the dashboard
#   curl -fsS https://PODNET/collect.sh | sh | curl -fsS -X POST --data-binary @- \
#     -H 'content-type: text/plain' -H "authorization: Bearer $PODNET_TOKEN" \
#     "https://PODNET/api/v1/clusters/CLUSTER/snapshots?node=$(uname -n)"
#
# Each command is printed after a prompt (`root@NODE:~# ip -j addr show`) followed by its
# output, exactly as if typed, so podnet reads it like any pasted terminal session.
#
# Environment:
#   PODNET_NODE=NAME         node name in the prompts (default: the kernel hostname)
#   PODNET_HOST_NETNS=NAME   run the host commands in netns NAME (a node simulated in netns)
#   PODNET_POD_NETNS=GLOB    only visit pod netns whose name matches GLOB (sh pattern)
#   PODNET_NO_DOCKER=1       skip /var/run/docker/netns
#
# The script changes nothing on the node: it only reads.

set -u

NODE=${PODNET_NODE:-}
if [ -z "$NODE" ]; then
  # dash's read returns 1 on some /proc files even after reading the value: test the value.
  read -r NODE < /proc/sys/kernel/hostname 2>/dev/null
  [ -n "$NODE" ] || NODE=node
fi
HOST_NS=${PODNET_HOST_NETNS:-}
POD_GLOB=${PODNET_POD_NETNS:-}
PROMPT="root@$NODE:~# "

have() { command -v "$1" >/dev/null 2>&1; }

if ! have ip; then
  echo "collect.sh: iproute2's ip is not installed" >&2
  exit 1
fi

# iproute2 before 4.14 has no -j for every command; the text forms are read too.
J=-j
if ! ip -j link show lo >/dev/null 2>&1; then J=; fi

# show TYPED RUN...: print the prompt and the command as typed, then run RUN... (both streams,
# like a terminal). Values are never passed through eval, so netns names cannot run as code.
show() {
  typed=$1
  shift
  printf '%s%s\n' "$PROMPT" "$typed"
  "$@" 2>&1
}

# The host netns: the current one, or PODNET_HOST_NETNS via `ip -n` (what runs) while the
# transcript shows the command as typed on the node.
hip() {
  if [ -n "$HOST_NS" ]; then ip -n "$HOST_NS" "$@"; else ip "$@"; fi
}
hbridge() {
  if [ -n "$HOST_NS" ]; then bridge -n "$HOST_NS" "$@"; else bridge "$@"; fi
}
hsh() {
  if [ -n "$HOST_NS" ]; then ip netns exec "$HOST_NS" sh -c "$1"; else sh -c "$1"; fi
}

# Prints `key = value` for each /proc/sys file that exists, as sysctl does; run inside a netns.
# Interface names may contain dots (flannel.1): sysctl writes those as `/`.
SYSCTL_SCRIPT='
dots_to_slashes() {
  s=$1; out=
  while :; do
    case $s in
      *.*) out="$out${s%%.*}/"; s=${s#*.} ;;
      *) out="$out$s"; break ;;
    esac
  done
  printf "%s" "$out"
}
for f in /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/net/bridge/bridge-nf-call-iptables; do
  [ -r "$f" ] || continue
  v=
  read -r v < "$f"
  [ -n "$v" ] || continue
  k=${f#/proc/sys/}
  case $k in
    net/ipv4/conf/*/rp_filter)
      i=${k#net/ipv4/conf/}; i=${i%/rp_filter}
      k="net.ipv4.conf.$(dots_to_slashes "$i").rp_filter" ;;
    net/ipv4/ip_forward) k=net.ipv4.ip_forward ;;
    net/bridge/bridge-nf-call-iptables) k=net.bridge.bridge-nf-call-iptables ;;
  esac
  printf "%s = %s\n" "$k" "$v"
done'

# The keys the sysctl script will print, for the typed command line.
sysctl_keys() {
  "$@" sh -c "$SYSCTL_SCRIPT" | while IFS= read -r line; do printf ' %s' "${line%% = *}"; done
}

host_sysctl() {
  keys=$(hsh "$SYSCTL_SCRIPT" | while IFS= read -r line; do printf ' %s' "${line%% = *}"; done)
  [ -n "$keys" ] || return 0
  printf '%ssysctl%s\n' "$PROMPT" "$keys"
  hsh "$SYSCTL_SCRIPT"
}

# --- host netns ------------------------------------------------------------------------------
show "ip $J -d link show" hip $J -d link show
show "ip $J addr show" hip $J addr show
show "ip $J -4 route show table all" hip $J -4 route show table all
show "ip $J -6 route show table all" hip $J -6 route show table all
show "ip $J -4 rule show" hip $J -4 rule show
show "ip $J -6 rule show" hip $J -6 rule show
show "ip $J neigh show" hip $J neigh show
if have bridge; then show "bridge $J fdb show" hbridge $J fdb show; fi
show "ip $J netns list-id" hip $J netns list-id
host_sysctl
# kube-proxy's Service rules, cut to its own chains (the rest of a node's firewall can run to thousands
# of lines podnet does not read); `-t` per table keeps which table a chain is in. Shown only when
# kube-proxy wrote something.
if have iptables-save; then
  for t in nat filter; do
    out=$(hsh "iptables-save -t $t 2>/dev/null | grep KUBE")
    [ -n "$out" ] || continue
    printf '%siptables-save -t %s | grep KUBE\n%s\n' "$PROMPT" "$t" "$out"
  done
fi

# --- pod netns -------------------------------------------------------------------------------
# `ip netns list` prints `NAME` or `NAME (id: N)`; netns names never contain spaces.
pod_netns() {
  ip netns list 2>/dev/null | while read -r name _rest; do
    [ -n "$name" ] || continue
    [ "$name" = "$HOST_NS" ] && continue
    if [ -n "$POD_GLOB" ]; then
      # shellcheck disable=SC2254
      case $name in $POD_GLOB) ;; *) continue ;; esac
    elif [ -n "$HOST_NS" ]; then
      # A simulated node without PODNET_POD_NETNS: the other netns belong to other nodes.
      continue
    fi
    printf '%s\n' "$name"
  done
}

netns_commands() {
  # $1: how the prompt shows entering the netns; the rest: how to run a program there.
  via=$1
  shift
  show "$via ip $J -d link show" "$@" ip $J -d link show
  show "$via ip $J addr show" "$@" ip $J addr show
  show "$via ip $J -4 route show table all" "$@" ip $J -4 route show table all
  show "$via ip $J -6 route show table all" "$@" ip $J -6 route show table all
  show "$via ip $J -4 rule show" "$@" ip $J -4 rule show
  show "$via ip $J neigh show" "$@" ip $J neigh show
  show "$via ip $J netns list-id" "$@" ip $J netns list-id
  keys=$(sysctl_keys "$@")
  if [ -n "$keys" ]; then
    printf '%s%s sysctl%s\n' "$PROMPT" "$via" "$keys"
    "$@" sh -c "$SYSCTL_SCRIPT"
  fi
}

for ns in $(pod_netns); do
  netns_commands "ip netns exec $ns" ip netns exec "$ns"
done

if [ -z "$HOST_NS" ] && [ "${PODNET_NO_DOCKER:-}" != 1 ] && [ -d /var/run/docker/netns ] && have nsenter; then
  for path in /var/run/docker/netns/*; do
    [ -e "$path" ] || continue
    name=${path##*/}
    [ "$name" = default ] && continue
    if [ -n "$POD_GLOB" ]; then
      # shellcheck disable=SC2254
      case $name in $POD_GLOB) ;; *) continue ;; esac
    fi
    netns_commands "nsenter --net=$path" nsenter "--net=$path"
  done
fi

# A paste usually ends at a fresh prompt.
printf '%s\n' "$PROMPT"
