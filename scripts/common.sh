# Shared set-up for the scripts in this folder: repository root, toolchain on PATH.
# Source it; it defines nothing else.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
cd "$repo_root"
