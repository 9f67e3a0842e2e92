# Shared by scripts/serve and scripts/test: a project virtualenv with the package installed.
# Sourced, not run. Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${KB_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"
base="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
stamp="$base${EXTRAS:+-$EXTRAS}"
if [ ! -f "$stamp" ]; then
  echo "==> installing the project${EXTRAS:+ with [$EXTRAS]}"
  python -m pip install --quiet --disable-pip-version-check --upgrade pip
  python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}"
  touch "$stamp" "$base"  # an install with extras is an install without them too
fi
