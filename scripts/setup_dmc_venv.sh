#!/usr/bin/env bash
# Create (or reuse) the Python venv with the real dm_control that scripts/validate_dmc.py and
# scripts/bench_dmc.py drive, and the Mesa libraries MuJoCo needs to render headless (EGL/OSMesa).
#
# Usage: scripts/setup_dmc_venv.sh            # idempotent; prints the venv's python path last
#   OCELLUS_CACHE=/some/dir scripts/setup_dmc_venv.sh
#   PYTHON=python3.11 scripts/setup_dmc_venv.sh   # interpreter used to create the venv
#
# Not part of CI: it needs PyPI and (for rendering) Debian packages.
set -euo pipefail

CACHE="${OCELLUS_CACHE:-$HOME/.cache/ocellus}"
VENV="$CACHE/dmc-venv"
PY="${PYTHON:-python3}"
PIP_SPECS=("dm-control==1.0.50" "mujoco>=3.17,<4" "pillow")
MESA_PKGS=(libegl1 libegl-mesa0 libgl1-mesa-dri libosmesa6)

log() { echo "[setup_dmc_venv] $*" >&2; }

# --- 1. the venv -----------------------------------------------------------------------------------
mkdir -p "$CACHE"
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating venv at $VENV with $PY"
    "$PY" -m venv "$VENV"
fi

if "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as md, sys
ver = md.version("dm-control")
import mujoco, PIL  # noqa: F401
major, minor = (int(x) for x in mujoco.__version__.split(".")[:2])
ok = ver == "1.0.50" and major == 3 and minor >= 17
sys.exit(0 if ok else 1)
EOF
then
    log "dm-control 1.0.50, mujoco 3.x and pillow already installed"
else
    log "installing ${PIP_SPECS[*]}"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet "${PIP_SPECS[@]}"
fi

# --- 2. Mesa (EGL + OSMesa) for headless rendering -------------------------------------------------
missing=()
for p in "${MESA_PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]} == 0)); then
    log "Mesa packages present: ${MESA_PKGS[*]}"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    log "missing Debian packages (needed only for rendering): ${missing[*]}"
    log "install them with: sudo apt-get install -y ${missing[*]}"
fi

"$VENV/bin/python" -c "import dm_control, mujoco, sys; \
print('dm_control', __import__('importlib.metadata').metadata.version('dm-control'), \
'mujoco', mujoco.__version__, 'python', sys.version.split()[0], file=sys.stderr)"
log "render with MUJOCO_GL=egl (or MUJOCO_GL=osmesa)"
echo "$VENV/bin/python"
