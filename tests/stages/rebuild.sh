#!/bin/sh
# tests/stages/rebuild.sh DIR: the second generation (bootstrap test
# rebuild-ARCH). The image the target built of itself, DIR/image-ARCH,
# boots and passes the same checks inside as the image built here: a
# system that rebuilt itself but cannot boot what it built proved nothing.
exec sh "$(dirname "$0")/image.sh" "${1:?usage: rebuild.sh OUTPUT-DIR}/image-${ARCH:?}"
