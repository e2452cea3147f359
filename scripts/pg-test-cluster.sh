#!/bin/sh
# pg-test-cluster.sh — a throw-away PostgreSQL cluster for tests.
#
#   scripts/pg-test-cluster.sh start DIR   # prints the URL as its last line
#   scripts/pg-test-cluster.sh stop DIR    # stops the cluster, removes DIR
#
# start creates DIR if needed (it must hold no cluster yet), runs initdb in
# DIR/data and starts the server listening on 127.0.0.1 only, on a free
# port, with its unix socket in DIR/sock and trust authentication for local
# and loopback connections only. fsync stays on (the server's defaults). It
# creates the database cyberpact_test and prints
#
#   postgresql://USER@127.0.0.1:PORT/cyberpact_test
#
# on stdout; everything else goes to stderr. USER is the account that runs
# the server: the caller, or `postgres` when the caller is root (initdb
# refuses to run as root), in which case DIR is chowned to postgres.
#
# stop only removes a DIR that start marked as its own.
set -eu

MARKER=.pg-test-cluster
DBNAME=cyberpact_test

die() {
    echo "pg-test-cluster: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

# The PostgreSQL server binaries: version 15 if present, else pg_config's,
# else the newest under /usr/lib/postgresql.
find_bindir() {
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$d" ] && [ -x "$d/initdb" ]; then
            echo "$d"
            return
        fi
    fi
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ ! -x "$d/initdb" ]; then
        die "no PostgreSQL server binaries found (run scripts/install-deps.sh)"
    fi
    echo "$d"
}

# A port nobody listens on right now (the kernel's pick for a bind to port
# 0). Another process may still take it before the server does; start
# retries with a new port when the server cannot bind.
pick_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
    else
        echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
    fi
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -e "$dir/data" ] && die "$dir already holds a cluster (stop it first)"
    # Long paths would overflow the unix socket name (107 bytes).
    [ ${#dir} -le 80 ] || die "DIR path too long for a unix socket: $dir"
    bindir=$(find_bindir)
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root needs the postgres system user"
        user=postgres
    else
        user=$(id -un)
    fi
    : >"$dir/$MARKER"
    mkdir -p "$dir/sock"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
    # The server's user must reach DIR (not only own it).
    cd "$dir"
    as_owner test -w "$dir" || die "$user cannot write to $dir (is a parent directory private?)"

    as_owner "$bindir/initdb" -D "$dir/data" -U "$user" -E UTF8 --locale=C \
        --auth=trust >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    }
    # Trust on the unix socket and 127.0.0.1 only; nothing else may connect.
    printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" >"$dir/data/pg_hba.conf"
    cat >>"$dir/data/postgresql.conf" <<EOF
# pg-test-cluster.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = on
max_connections = 50
EOF

    tries=0
    while :; do
        port=$(pick_port)
        rm -f "$dir/server.log" # so the grep below sees this attempt only
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port" start >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        if [ $tries -ge 5 ] || ! grep -q "could not bind\|could not create any TCP/IP sockets" "$dir/server.log"; then
            tail -n 20 "$dir/server.log" >&2 || true
            die "server did not start (log: $dir/server.log)"
        fi
        echo "pg-test-cluster: port $port taken, retrying" >&2
    done

    as_owner "$bindir/createdb" -h "$dir/sock" -p "$port" -U "$user" "$DBNAME" || {
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        die "createdb failed"
    }
    echo "pg-test-cluster: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') running in $dir" >&2
    echo "postgresql://$user@127.0.0.1:$port/$DBNAME"
}

stop() {
    dir=$1
    if [ ! -d "$dir" ]; then
        echo "pg-test-cluster: $dir does not exist; nothing to stop" >&2
        return 0
    fi
    dir=$(cd "$dir" && pwd)
    [ -e "$dir/$MARKER" ] || die "$dir was not made by pg-test-cluster.sh start; not touching it"
    if [ -f "$dir/data/postmaster.pid" ]; then
        bindir=$(find_bindir)
        cd "$dir"
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 ||
            echo "pg-test-cluster: could not stop the server in $dir" >&2
        cd /
    fi
    rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
*) usage ;;
esac
