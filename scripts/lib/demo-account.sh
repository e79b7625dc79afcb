# The demo account scripts/run and scripts/cluster-up act through as root (sfapid never acts as
# root): an ordinary login account made on first use and kept until `make remove-demo`.
# SFAPID_DEMO_USER names it (default sfapid-demo). Sourced; the caller defines die().
demo="${SFAPID_DEMO_USER:-sfapid-demo}"
marker="sfapid demo account, made by scripts/run; remove with scripts/run SFAPID --remove-demo"

# Whether the demo account exists and is the one these scripts made (never touch anyone else's).
demo_exists() {
  local entry
  entry="$(getent passwd "$demo")" || return 1
  [[ "$(cut -d: -f5 <<<"$entry")" == "$marker" ]] ||
    die "a user '$demo' exists that scripts/run did not make; set SFAPID_DEMO_USER to another name"
}

make_demo() {
  demo_exists && return 0
  useradd --create-home --shell /bin/bash --comment "$marker" "$demo" ||
    die "could not create the demo account '$demo' (useradd failed)"
  echo "created the demo account $demo (uid $(id -u "$demo"), home $(getent passwd "$demo" | cut -d: -f6))" >&2
}
