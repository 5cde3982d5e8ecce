#!/bin/sh
# Install everything ktriage needs to build and test on Debian 12.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -eu

PKGS="
build-essential meson ninja-build pkg-config clang llvm libclang-rt-14-dev
libcapstone-dev libdw-dev libelf-dev libarchive-dev libjansson-dev libyaml-dev
libmnl-dev libpcre2-dev libvectorscan-dev libcmocka-dev
zlib1g-dev liblzma-dev libzstd-dev libbz2-dev
iproute2 iputils-ping nftables iptables
gzip xz-utils zstd bzip2 zip unzip python3 jq curl
libsqlite3-dev sqlite3 libpq-dev postgresql libmicrohttpd-dev libsystemd-dev systemd
libssl-dev
chromium
systemd-journal-remote libcurl4-openssl-dev
"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "setup-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
else
	echo "setup-deps: all packages present"
fi
