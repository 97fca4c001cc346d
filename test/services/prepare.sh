#!/usr/bin/env bash
# Makes sure the real services the integration tests start are installed:
# haproxy, OpenSSH server + client, MariaDB server + client, ffmpeg, tmux
# (and with --bench, ImageMagick for the resize reference).
# Idempotent and fast when everything is there (no apt-get update then).
# Installs with apt-get when running as root; otherwise prints the exact
# command and fails: a missing service must never turn into a silent skip.
set -euo pipefail

# package -> a file that proves it is installed
declare -A PROBE=(
  [haproxy]=/usr/sbin/haproxy
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh-keygen
  [mariadb-server]=/usr/sbin/mariadbd
  [mariadb-client]=/usr/bin/mariadb
  # webcam timelapses: ffmpeg encodes, ffprobe (same package) checks the result
  [ffmpeg]=/usr/bin/ffmpeg
  # the tmux walk: the built TUI in a real terminal at three sizes
  [tmux]=/usr/bin/tmux
  # the EBS resync's "volume": an ext4 image, loop-mounted; fsfreeze for the consistent snapshot
  [e2fsprogs]=/sbin/mke2fs
  [util-linux]=/sbin/fsfreeze
)
ORDER=(haproxy openssh-server openssh-client mariadb-server mariadb-client ffmpeg tmux e2fsprogs util-linux)
# `npm run bench` also measures sharp against ImageMagick's convert, on the same image
if [[ "${1:-}" == "--bench" ]]; then
  PROBE[imagemagick]=/usr/bin/convert
  ORDER+=(imagemagick)
fi

missing=()
for pkg in "${ORDER[@]}"; do
  if [[ ! -x "${PROBE[$pkg]}" ]]; then missing+=("$pkg"); fi
done

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]:-}"

fail() {
  echo "prepare: $1" >&2
  echo "prepare: fix: run as root: $install_cmd" >&2
  exit 1
}

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing packages: ${missing[*]} (not root, cannot install)"
  fi
  echo "prepare: installing ${missing[*]}"
  # Package postinst scripts try to start sshd/mariadb; without systemd (CI
  # containers) that can hang or fail the install. policy-rc.d exit 101 tells
  # invoke-rc.d "not allowed", so the packages install without starting.
  policy=/usr/sbin/policy-rc.d
  saved_policy=""
  if [[ -e $policy ]]; then
    saved_policy=$(mktemp)
    cp -p "$policy" "$saved_policy"
  fi
  restore_policy() {
    if [[ -n $saved_policy ]]; then mv -f "$saved_policy" "$policy"; else rm -f "$policy"; fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  # Another apt run (apt-daily on a fresh machine, an engineer) may hold a
  # lock. DPkg::Lock::Timeout waits only for the dpkg lock; the lists and
  # archives locks fail at once, so retry those for up to 5 minutes.
  apt=(apt-get -o DPkg::Lock::Timeout=300)
  retry_apt() {
    local i
    for i in $(seq 1 60); do
      "${apt[@]}" "$@" >>"$log" 2>&1 && return 0
      tail -5 "$log" | grep -q 'Could not get lock' || return 1
      echo "prepare: another apt run holds a lock; waiting ($i/60)" >&2
      sleep 5
    done
    return 1
  }
  if ! retry_apt update; then
    tail -20 "$log" >&2
    fail "apt-get update failed"
  fi
  if ! retry_apt install -y --no-install-recommends "${missing[@]}"; then
    tail -30 "$log" >&2
    fail "apt-get install ${missing[*]} failed"
  fi
  rm -f "$log"
  restore_policy
  trap - EXIT
  for pkg in "${missing[@]}"; do
    [[ -x "${PROBE[$pkg]}" ]] || fail "$pkg installed but ${PROBE[$pkg]} is still missing"
  done
fi

# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd 2>/dev/null || true

for pkg in "${ORDER[@]}"; do
  how="present"
  for m in "${missing[@]:-}"; do [[ $m == "$pkg" ]] && how="installed"; done
  echo "prepare: $pkg $how (${PROBE[$pkg]})"
done
