#!/usr/bin/env bash
# Installs the real monitoring tools the end-to-end suites drive, from Debian's packages, only when
# they are missing (CI machines start clean; a developer's machine keeps them). Usage:
#   scripts/e2e-install.sh prometheus     # prometheus + alertmanager
#   scripts/e2e-install.sh zabbix         # zabbix server (PostgreSQL), frontend, php-pgsql, postgresql
# Debian's packages try to start their services; policy-rc.d (containers) or the tests' own private
# instances on other ports make that harmless, and the tests never use a system service.
set -euo pipefail
want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
case "${1:-prometheus}" in
  prometheus)
    need prometheus prometheus
    need prometheus-alertmanager prometheus-alertmanager
    ;;
  zabbix)
    need zabbix_server zabbix-server-pgsql
    [ -d /usr/share/zabbix ] || want+=(zabbix-frontend-php)
    need php php-cli
    # grep without -q reads all of php's output: with pipefail, -q would make php die of SIGPIPE.
    php -m 2>/dev/null | grep -x pgsql >/dev/null || want+=(php-pgsql)
    [ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || want+=(postgresql)
    ;;
  *) echo "usage: $0 prometheus|zabbix" >&2; exit 2 ;;
esac
[ ${#want[@]} -eq 0 ] && exit 0
echo "[e2e] installing from Debian: ${want[*]}" >&2
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# An empty or week-old package list would make apt-get fail to find the packages.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -7 2>/dev/null | head -1)" ]; then
  $sudo apt-get update -qq
fi
apt_install() { $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >&2; }
# A list younger than a week can still name versions the mirror has replaced: update and retry once.
apt_install || { $sudo apt-get update -qq && apt_install; }
