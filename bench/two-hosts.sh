#!/usr/bin/env bash
# Two hosts on one machine, for testing and timing MPI across a real TCP network: network
# namespaces named by their addresses, 10.200.0.1 and 10.200.0.2, joined by a veth pair
# (each has its own network stack, so Open MPI sees two hosts and talks TCP between them).
# Needs root and iproute2.
#
#   bench/two-hosts.sh up                      create the namespaces (idempotent)
#   bench/two-hosts.sh run -np 2 latent ...    mpirun, one process in each namespace
#   bench/two-hosts.sh down                    remove them
#
# Open MPI's rsh launcher starts its daemon on "host" 10.200.0.2 with
# `ip netns exec 10.200.0.2 sh -c COMMAND` (bench/netns-agent) instead of ssh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
a=10.200.0.1
b=10.200.0.2

up() {
    for host in $a $b; do
        ip netns list | grep -qx "$host\( .*\)\?" || ip netns add "$host"
        ip -n "$host" link set lo up
    done
    if ! ip -n $a link show veth-latent >/dev/null 2>&1; then
        ip link add veth-latent netns $a type veth peer name veth-latent netns $b
        ip -n $a addr add $a/24 dev veth-latent
        ip -n $b addr add $b/24 dev veth-latent
    fi
    ip -n $a link set veth-latent up
    ip -n $b link set veth-latent up
}

down() {
    for host in $a $b; do ip netns delete "$host" 2>/dev/null || true; done
}

case "${1:-}" in
up) up ;;
down) down ;;
run)
    shift
    up
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    exec ip netns exec $a mpirun --host $a,$b --mca plm_rsh_agent "$here/netns-agent" \
        --mca btl tcp,self --mca btl_tcp_if_include veth-latent --mca oob_tcp_if_include veth-latent "$@"
    ;;
*)
    echo "usage: $0 up | down | run MPIRUN-ARGUMENTS..." >&2
    exit 64
    ;;
esac
