#!/usr/bin/env bash
# Builds Ferry's container image as an archive without any registry: the Debian base
# (image/base-image.sh, made once), then Jib's usual build on top of it, written to a
# tar instead of pushed. Needs root, podman and debootstrap for the base.
#
#   image/build.sh      writes target/image/ferry.tar (load it with podman load -i or docker load -i)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/image/base.tar ]; then
  image/base-image.sh target/image/base.tar
fi
mvn -q -DskipTests package jib:buildTar \
  -Djib.from.image="tar://$PWD/target/image/base.tar" \
  -Djib.outputPaths.tar=target/image/ferry.tar
echo "image archive: target/image/ferry.tar ($(du -h target/image/ferry.tar | cut -f1))"
