# Shared by scripts/serve and scripts/kb: the project's own folders as absolute KB_* defaults, so
# that `kb` finds the index, the content and the database from any working folder. Variables
# already set win. Sourced, not run; needs ROOT.
export KB_CONTENT_DIR="${KB_CONTENT_DIR:-$ROOT/content}"
export KB_INDEX_DIR="${KB_INDEX_DIR:-$ROOT/var/index}"
export KB_DATABASE_URL="${KB_DATABASE_URL:-sqlite:///$ROOT/var/kb.sqlite3}"
export KB_CHANNELS_FILE="${KB_CHANNELS_FILE:-$ROOT/config/channels.yaml}"
