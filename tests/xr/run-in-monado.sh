#!/bin/sh
# Runs the disan binary inside the OpenXR test root (a Debian trixie tree holding Monado, made
# by `cargo xtask test`), with Monado's service running its null compositor and a simulated
# headset and controllers. Used by engine/app/tests/xr.rs and `cargo xtask bench xr`.
#
#   unshare -m sh tests/xr/run-in-monado.sh ROOT REPO BINARY [disan arguments…]
#
# Must run in a private mount namespace (unshare -m): the host's /proc, /dev and /sys, the
# repository and the binary are bound into the root for this run only. Environment variables
# named DISAN_* are passed through to disan.
set -e
R=$1 REPO=$2 BINARY=$3
shift 3
for d in proc dev sys; do mount --bind /$d "$R/$d"; done
mkdir -p "$R/mnt/repo" "$R/opt/disan"
mount --bind "$REPO" "$R/mnt/repo"
cp "$BINARY" "$R/opt/disan/disan"
PASS=$(env | grep '^DISAN_' | sed "s/'/'\\\\''/g; s/=\(.*\)/='\1'/" | tr '\n' ' ')
ARGS=""
for a in "$@"; do ARGS="$ARGS '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"; done
chroot "$R" /bin/sh -c "
  export XDG_RUNTIME_DIR=\$(mktemp -d) XRT_COMPOSITOR_NULL=1 SIMULATED_ENABLE=1 SIMULATED_LEFT=simple SIMULATED_RIGHT=simple XRT_NO_STDIN=1
  export XR_RUNTIME_JSON=/usr/share/openxr/1/openxr_monado.json VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json
  export DISAN_ASSETS=/mnt/repo/assets DISAN_UNDER_XVFB=1 $PASS
  monado-service > /tmp/monado.log 2>&1 &
  # Wait for the service's IPC socket (up to 30 s: a loaded 2-core machine starts it slowly),
  # then a moment for it to take clients.
  for i in \$(seq 1 60); do [ -S \$XDG_RUNTIME_DIR/monado_comp_ipc ] && break; sleep 0.5; done
  sleep 1
  status=0
  timeout 300 xvfb-run -a /opt/disan/disan $ARGS || status=\$?
  kill %1 2>/dev/null || true
  echo '--- monado log'; cat /tmp/monado.log
  exit \$status"
