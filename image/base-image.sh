#!/usr/bin/env bash
# Builds Ferry's base image without any registry: a minimal Debian root filesystem with
# OpenJDK 17's headless JRE, from Debian's packages (debootstrap), saved as a Docker
# archive that Jib takes as its base (tar://). Needs root (debootstrap), podman and
# debootstrap (apt-get install podman debootstrap).
#
#   image/base-image.sh [output.tar]     default: target/image/base.tar
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/image/base.tar}"
suite="${DEBIAN_SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
name="localhost/ferry-base:${suite}-jre17"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates "$suite" "$work/rootfs" "$mirror" \
  > "$work/debootstrap.log" || { tail -20 "$work/debootstrap.log"; exit 1; }
# What a running JRE never reads: package caches and lists, documentation, translations.
rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* \
  "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/locale/*
java_home="$(cd "$work/rootfs" && ls -d usr/lib/jvm/java-17-openjdk-*)"

tar --numeric-owner -C "$work/rootfs" -c . | podman import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV JAVA_HOME=/$java_home" \
  --change "ENV LANG=C.UTF-8" \
  - "$name" > /dev/null
mkdir -p "$(dirname "$out")"
rm -f "$out"
podman save --format docker-archive -o "$out" "$name"
echo "base image $name saved to $out ($(du -h "$out" | cut -f1))"
