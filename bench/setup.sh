#!/usr/bin/env bash
# Installs what the `peers` benchmark runs against: Debian 12's PyTorch 1.13 and Optuna 3.1 (apt, system Python).
# Idempotent: installs only what is missing. Run as root or with sudo rights.
set -euo pipefail
packages=(python3 python3-numpy python3-torch python3-optuna)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench/setup.sh: ${packages[*]} already installed"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
/usr/bin/python3 -c 'import torch, optuna; print("bench/setup.sh: torch", torch.__version__, "optuna", optuna.__version__)'
