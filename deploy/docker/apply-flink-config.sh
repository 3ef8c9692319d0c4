#!/usr/bin/env bash
# Applies a flat Flink config.yaml (deploy/flink/config.yaml: "key: value" lines, full-line comments)
# on top of the image's $FLINK_HOME/conf/config.yaml, with Flink's own bin/config-parser-utils.sh:
# the tool the official image uses at build time and in its entrypoint. The image's own settings
# stay (the Java 17 --add-opens list in env.java.opts.all, the 0.0.0.0 bind addresses); keys in the
# file are added or replace the image's.
#
# config-parser-utils.sh passes its -D arguments on through an unquoted variable, so a value must not
# contain spaces (FlinkConfigTest checks the file for that).
set -euo pipefail

settings="$1"
args=()
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    '' | '#'*) continue ;;
  esac
  key="${line%%:*}"
  value="${line#*:}"
  value="${value#"${value%%[![:space:]]*}"}"
  args+=("-D${key}=${value}")
done < "$settings"

"$FLINK_HOME/bin/config-parser-utils.sh" "$FLINK_HOME/conf" "$FLINK_HOME/bin" "$FLINK_HOME/lib" "${args[@]}"
echo "Applied ${#args[@]} settings from $settings to $FLINK_HOME/conf/config.yaml"
